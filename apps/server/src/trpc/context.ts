import type { IncomingMessage } from "node:http";
import { callerOf } from "../auth/caller.ts";
import type { TokenVerifier } from "../auth/verify-token.ts";
import type { Database } from "../db/database.ts";
import type { IdentityCache, ResolvedIdentity } from "../services/identity.ts";

/** What the server hands every request: built once at start. */
export interface AppDeps {
  db: Database;
  verifier: TokenVerifier;
  identities: IdentityCache;
}

/**
 * Per request. `response` lets a procedure shape its REST answer: `status` (201 on create) and
 * `headers` (ETag).
 */
export interface RequestContext {
  deps: AppDeps;
  requestId: string;
  /** The caller's account and profile; rejects with the reason when the token does not admit them. */
  caller: () => Promise<ResolvedIdentity>;
  /** The raw `If-Match` header, parsed by the procedures that honor it. */
  ifMatch: string | undefined;
  response: { status?: number; headers?: Record<string, string> };
}

export function createContextFactory(deps: AppDeps) {
  return ({ req }: { req: IncomingMessage }): RequestContext => ({
    deps,
    requestId: (req as IncomingMessage & { id?: string }).id ?? "",
    caller: () => callerOf(req, deps),
    ifMatch: req.headers["if-match"],
    response: {},
  });
}
