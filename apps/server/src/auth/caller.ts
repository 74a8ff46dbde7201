import type { IncomingMessage } from "node:http";
import type { Database } from "../db/database.ts";
import { DomainError } from "../services/errors.ts";
import type { IdentityCache, ResolvedIdentity } from "../services/identity.ts";
import { InvalidTokenError, type TokenVerifier, type VerifiedCaller } from "./verify-token.ts";

export interface CallerDeps {
  db: Database;
  verifier: TokenVerifier;
  identities: IdentityCache;
}

const BEARER = /^Bearer ([A-Za-z0-9_\-.=]+)$/;

/** The token of an `Authorization: Bearer <token>` header; only the header is read (never the query string). */
export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization ? BEARER.exec(authorization.trim())?.[1] : undefined;
}

/**
 * Who is calling: a verified bearer token (InvalidTokenError, a 401, otherwise) holding the admin role
 * (a FORBIDDEN DomainError otherwise, before anything is created), then the account and profile it names.
 */
export async function resolveCaller(deps: CallerDeps, authorization: string | undefined): Promise<ResolvedIdentity> {
  const token = bearerToken(authorization);
  if (!token) throw new InvalidTokenError("An `Authorization: Bearer <token>` header is required");
  const caller = await deps.verifier.verify(token);
  if (!caller.isAdmin) throw new DomainError("FORBIDDEN", "The admin role is required");
  return deps.identities.resolve(deps.db, caller);
}

const CACHED_CALLER = Symbol("cached verified caller");
type WithCachedCaller = IncomingMessage & { [CACHED_CALLER]?: VerifiedCaller | null };

/**
 * What the verified-token cache already holds for this request's bearer token (see `TokenVerifier.peek`),
 * looked up once per request however many layers ask (the rate limiter, then the read fast path): a
 * token is about a kilobyte, and matching and hashing it twice showed in profiles of the hot path.
 */
export function cachedCallerOf(req: IncomingMessage, verifier: TokenVerifier): VerifiedCaller | undefined {
  const request = req as WithCachedCaller;
  let known = request[CACHED_CALLER];
  if (known === undefined) {
    const token = bearerToken(req.headers.authorization);
    known = (token === undefined ? undefined : verifier.peek?.(token)) ?? null;
    request[CACHED_CALLER] = known;
  }
  return known ?? undefined;
}

/**
 * The caller when both caches already know them (a verified, unexpired token of an admin whose identity
 * is up to date): answered synchronously, for the read fast path. Undefined means "ask `resolveCaller`",
 * which also gives the reason for a refusal; this never refuses anyone itself.
 */
export function knownCaller(req: IncomingMessage, deps: CallerDeps): ResolvedIdentity | undefined {
  const caller = cachedCallerOf(req, deps.verifier);
  return caller?.isAdmin ? deps.identities.peek(caller) : undefined;
}

const resolved = new WeakMap<IncomingMessage, Promise<ResolvedIdentity>>();

/**
 * The caller of one HTTP request, resolved at most once however many layers ask (the Idempotency-Key
 * layer needs the account before the procedure runs, and the procedure needs it again).
 */
export function callerOf(req: IncomingMessage, deps: CallerDeps): Promise<ResolvedIdentity> {
  let caller = resolved.get(req);
  if (!caller) {
    caller = resolveCaller(deps, req.headers.authorization);
    // A failure is reported to whoever awaits it; this only keeps it from counting as unhandled meanwhile.
    caller.catch(() => undefined);
    resolved.set(req, caller);
  }
  return caller;
}
