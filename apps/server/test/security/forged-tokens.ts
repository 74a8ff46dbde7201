import { exportSPKI, generateKeyPair, importJWK, type CryptoKey, SignJWT } from "jose";
import type { TestServer } from "../support/index.ts";

/**
 * Tokens an attacker can make. None of them may get past authentication: each must answer 401 on
 * every procedure. They are built with `jose`, the library the server verifies with, so each forgery is
 * byte for byte what a real attacker would send.
 */
export interface ForgeryContext {
  server: TestServer;
  /** The organization the attacker claims (an account that does not exist: a pass would create it). */
  org: string;
  /** An organization that exists: the tampered token claims it. */
  victimOrg: string;
  /** A key the server has never seen. */
  strangerKey: CryptoKey;
}

export interface Forgery {
  /** What is wrong with the token, for test names. */
  label: string;
  /** The token; `null` sends none. */
  forge(context: ForgeryContext): Promise<string | null>;
  /** The token travels in the query string under this name, with no Authorization header. */
  queryParameter?: string;
}

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The claims of a genuine admin token for the attacker's org, as the dev key signs them. */
function adminClaims({ server, org }: ForgeryContext): Record<string, unknown> {
  return {
    iss: server.config.auth.issuer,
    sub: `user_forger_${org}`,
    org_id: org,
    role: "admin",
    roles: ["admin"],
    iat: now(),
    exp: now() + 600,
  };
}

/** RS256 over `claims` (undefined values dropped), by the server's own dev key unless told otherwise. */
function signRs256(context: ForgeryContext, claims: Record<string, unknown>, options: { key?: CryptoKey; kid?: string | null } = {}) {
  const kid = options.kid === undefined ? context.server.devKey.kid : options.kid;
  return new SignJWT(JSON.parse(JSON.stringify(claims)) as Record<string, unknown>)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", ...(kid === null ? {} : { kid }) })
    .sign(options.key ?? context.server.devKey.privateKey);
}

/** HS256 keyed with the server's *public* key: the RS256/HS256 key-confusion attack. */
async function signHs256WithPublicKey(context: ForgeryContext, form: "pem" | "jwk" | "modulus") {
  const jwk = context.server.devKey.publicJwk;
  const secret =
    form === "pem"
      ? await exportSPKI((await importJWK(jwk, "RS256")) as CryptoKey)
      : form === "jwk"
        ? JSON.stringify(jwk)
        : String(jwk.n);
  return new SignJWT(adminClaims(context))
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: context.server.devKey.kid })
    .sign(new TextEncoder().encode(secret));
}

function without(claims: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...claims };
  delete copy[name];
  return copy;
}

export const forgeries: Forgery[] = [
  { label: "no token", forge: async () => null },
  {
    label: "an unsigned token (alg: none)",
    forge: async (context) => `${base64url({ alg: "none", typ: "JWT" })}.${base64url(adminClaims(context))}.`,
  },
  {
    label: "alg: none over a genuine token's payload and signature",
    forge: async (context) => {
      const [, payload, signature] = (await signRs256(context, adminClaims(context))).split(".");
      return `${base64url({ alg: "none", typ: "JWT", kid: context.server.devKey.kid })}.${payload}.${signature}`;
    },
  },
  { label: "HS256 keyed with the public key's PEM", forge: (context) => signHs256WithPublicKey(context, "pem") },
  { label: "HS256 keyed with the public JWK", forge: (context) => signHs256WithPublicKey(context, "jwk") },
  { label: "HS256 keyed with the public modulus", forge: (context) => signHs256WithPublicKey(context, "modulus") },
  {
    label: "a tampered payload (another org_id, signature kept)",
    forge: async (context) => {
      const [header, payload, signature] = (await signRs256(context, adminClaims(context))).split(".") as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
      return `${header}.${base64url({ ...claims, org_id: context.victimOrg })}.${signature}`;
    },
  },
  {
    label: "a genuine payload with another token's signature",
    forge: async (context) => {
      const [header, payload] = (await signRs256(context, adminClaims(context))).split(".");
      const other = await signRs256(context, { ...adminClaims(context), jti: "another" });
      return `${header}.${payload}.${other.split(".")[2]}`;
    },
  },
  {
    label: "an expired token",
    forge: (context) => signRs256(context, { ...adminClaims(context), iat: now() - 3600, exp: now() - 60 }),
  },
  {
    label: "a token not valid yet (nbf in the future)",
    forge: (context) => signRs256(context, { ...adminClaims(context), nbf: now() + 600, exp: now() + 1200 }),
  },
  {
    label: "a token issued in the future (iat beyond the clock tolerance)",
    forge: (context) => signRs256(context, { ...adminClaims(context), iat: now() + 600, exp: now() + 1200 }),
  },
  { label: "a token from another issuer", forge: (context) => signRs256(context, { ...adminClaims(context), iss: "https://evil.example" }) },
  { label: "a token without an issuer", forge: (context) => signRs256(context, without(adminClaims(context), "iss")) },
  {
    label: "a token signed by an unknown key (unknown kid)",
    forge: (context) => signRs256(context, adminClaims(context), { key: context.strangerKey, kid: "attacker-key" }),
  },
  {
    label: "a token signed by an unknown key (the server's kid)",
    forge: (context) => signRs256(context, adminClaims(context), { key: context.strangerKey }),
  },
  {
    label: "a token signed by an unknown key (no kid)",
    forge: (context) => signRs256(context, adminClaims(context), { key: context.strangerKey, kid: null }),
  },
  { label: "a token without org_id", forge: (context) => signRs256(context, without(adminClaims(context), "org_id")) },
  { label: "a token with an empty org_id", forge: (context) => signRs256(context, { ...adminClaims(context), org_id: "" }) },
  { label: "a token without sub", forge: (context) => signRs256(context, without(adminClaims(context), "sub")) },
  { label: "a token without exp", forge: (context) => signRs256(context, without(adminClaims(context), "exp")) },
  {
    label: "a valid token in ?access_token= (no header)",
    forge: ({ server, org }) => server.token({ org, user: "user_query_string" }),
    queryParameter: "access_token",
  },
  {
    label: "a valid token in ?token= (no header)",
    forge: ({ server, org }) => server.token({ org, user: "user_query_string" }),
    queryParameter: "token",
  },
];

let strangerKey: Promise<CryptoKey> | undefined;

export async function forgeryContext(server: TestServer, org: string, victimOrg: string): Promise<ForgeryContext> {
  // Generating an RSA key takes a while: one stranger is enough for every forgery.
  strangerKey ??= generateKeyPair("RS256").then((pair) => pair.privateKey);
  return { server, org, victimOrg, strangerKey: await strangerKey };
}
