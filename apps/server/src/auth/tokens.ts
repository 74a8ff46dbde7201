import { SignJWT } from "jose";
import type { DevKeyPair } from "./dev-keys.ts";

export interface DevTokenOptions {
  issuer: string;
  organizationId: string;
  userId: string;
  role?: string;
  email?: string;
  name?: string;
  expiresInSeconds?: number;
}

/** Signs a token shaped like a WorkOS access token (org_id, sub, role, roles) with the dev key. */
export async function signDevToken(key: DevKeyPair, options: DevTokenOptions): Promise<string> {
  const role = options.role ?? "admin";
  const claims: Record<string, unknown> = { org_id: options.organizationId, role, roles: [role], permissions: [] };
  if (options.email !== undefined) claims.email = options.email;
  if (options.name !== undefined) claims.name = options.name;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
    .setIssuer(options.issuer)
    .setSubject(options.userId)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}
