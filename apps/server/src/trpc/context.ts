import type { IncomingMessage } from "node:http";
import type { TokenVerifier } from "../auth/verify-token.ts";
import type { Database } from "../db/database.ts";
import type { IdentityCache } from "../services/identity.ts";

/** What the server hands every request: built once at start. */
export interface AppDeps {
  db: Database;
  verifier: TokenVerifier;
  identities: IdentityCache;
}

/** Per request. `response.status` lets a procedure choose its REST success status (201 on create). */
export interface RequestContext {
  deps: AppDeps;
  requestId: string;
  authorization: string | undefined;
  response: { status?: number };
}

export function createContextFactory(deps: AppDeps) {
  return ({ req }: { req: IncomingMessage }): RequestContext => ({
    deps,
    requestId: (req as IncomingMessage & { id?: string }).id ?? "",
    authorization: req.headers.authorization,
    response: {},
  });
}
