import type { Database } from "../db/database.ts";

/**
 * What every account-scoped service call receives: the database and the account resolved from the
 * verified token. Services filter every query by `accountId`; no id in the request can widen it.
 */
export interface AccountScope {
  db: Database;
  accountId: string;
  /** The admin's own profile: who is acting. */
  actorProfileId: string;
  /** The request's id (`x-request-id`), recorded in the audit events the request writes. */
  requestId?: string | undefined;
}
