import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { storableText } from "@workspace-admin/contracts";
import { z } from "zod";
import type { AuthConfig } from "../config.ts";
import type { TokenIdentity } from "../services/identity.ts";

export interface VerifiedCaller extends TokenIdentity {
  roles: string[];
  isAdmin: boolean;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** The token is missing, malformed, expired, or not signed by a key we trust: 401. */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** We could not get the keys to check the token with: 503, never a pass. */
export class KeySourceUnavailableError extends Error {
  override name = "KeySourceUnavailableError";
}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedCaller>;
  /**
   * What is already known of a token that `verify` accepted and that has not expired, without verifying
   * anything, or undefined. Only a cache has this (see verified-token-cache.ts): it spares the hot path
   * a promise where the answer is at hand.
   */
  peek?(token: string): VerifiedCaller | undefined;
}

// Identifiers that no database could store as sent make the token unusable (401); an email or name
// claim that could not be stored is left out, as if the token did not carry it.
const Claims = z.object({
  sub: storableText(z.string().min(1).max(255)),
  org_id: storableText(z.string().min(1).max(255)),
  exp: z.number(),
  iat: z.number().optional(),
  role: z.string().optional(),
  roles: z.array(z.string()).optional(),
  email: storableText(z.string().max(320)).optional().catch(undefined),
  name: storableText(z.string().max(255)).optional().catch(undefined),
});

export interface VerifierOptions {
  keys: JWTVerifyGetKey;
  issuers: string[];
  clockToleranceSeconds?: number;
  /** Keys are fetched over the network: a failure that is not the token's fault is a 503. */
  remoteKeys?: boolean;
}

/** Verifies WorkOS-shaped access tokens: RS256 only, a trusted issuer, org_id and sub present. */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  return {
    async verify(token) {
      let payload: JWTPayload;
      const clockTolerance = options.clockToleranceSeconds ?? 5;
      try {
        ({ payload } = await jwtVerify(token, options.keys, {
          algorithms: ["RS256"],
          issuer: options.issuers,
          clockTolerance,
          requiredClaims: ["exp", "sub"],
        }));
      } catch (error) {
        throw classify(error, options.remoteKeys ?? false);
      }
      const claims = Claims.safeParse(payload);
      if (!claims.success) throw new InvalidTokenError("The token lacks a usable org_id or sub claim");
      // jose checks `iat` only against a maximum age. A token issued later than now (beyond the clock
      // skew we forgive) was minted by a clock or a signer we should not trust.
      if (claims.data.iat !== undefined && claims.data.iat > Date.now() / 1000 + clockTolerance) {
        throw new InvalidTokenError("The token's iat claim is not acceptable");
      }
      const roles = [...(claims.data.roles ?? []), ...(claims.data.role ? [claims.data.role] : [])];
      return {
        organizationId: claims.data.org_id,
        userId: claims.data.sub,
        email: claims.data.email,
        name: claims.data.name,
        roles,
        isAdmin: roles.includes("admin"),
        expiresAt: claims.data.exp,
      };
    },
  };
}

export function createLocalVerifier(jwks: JSONWebKeySet, issuer: string): TokenVerifier {
  return createTokenVerifier({ keys: createLocalJWKSet(jwks), issuers: [issuer] });
}

/**
 * Production: WorkOS access tokens checked against the WorkOS JWKS. The key set is built once per
 * process: jose caches it (`cacheMaxAge`), refetches when a token names a key id it does not hold (at
 * most once per `cooldown`, so forged key ids cannot make us hammer WorkOS), and gives up after `timeout`.
 */
export function createWorkosVerifier(auth: Extract<AuthConfig, { mode: "workos" }>): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(auth.jwksUrl), {
    timeoutDuration: auth.jwksTimeoutMs,
    cooldownDuration: auth.jwksCooldownMs,
    cacheMaxAge: auth.jwksCacheMaxAgeMs,
  });
  return createTokenVerifier({
    keys,
    issuers: auth.issuers,
    clockToleranceSeconds: auth.clockToleranceSeconds,
    remoteKeys: true,
  });
}

function classify(error: unknown, remoteKeys: boolean): Error {
  if (error instanceof joseErrors.JWKSTimeout) return new KeySourceUnavailableError("Timed out fetching signing keys");
  if (error instanceof joseErrors.JOSEError) {
    if (error.code === "ERR_JWKS_INVALID") return new KeySourceUnavailableError("The key set is unusable");
    // jose reports a non-200 or non-JSON key set answer as a bare JOSEError; every fault of the token
    // itself has a more specific class.
    if (remoteKeys && error.code === "ERR_JOSE_GENERIC") return new KeySourceUnavailableError("Could not fetch signing keys");
    return new InvalidTokenError(messageFor(error));
  }
  // A fetch failure of a remote key set surfaces as a plain error (TypeError, AbortError).
  if (remoteKeys) return new KeySourceUnavailableError("Could not fetch signing keys");
  return new InvalidTokenError("The token is invalid");
}

function messageFor(error: InstanceType<typeof joseErrors.JOSEError>): string {
  if (error instanceof joseErrors.JWTExpired) return "The token has expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The token's ${error.claim} claim is not acceptable`;
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "The token is signed by an unknown key";
  return "The token is invalid";
}
