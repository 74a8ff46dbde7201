import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base64url, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateDevKey } from "../../src/auth/dev-keys.ts";
import { signDevToken } from "../../src/auth/tokens.ts";
import { FakeWorkos } from "../support/fake-workos.ts";
import { RestClient, startWorkosTestServer, type WorkosTestServer } from "../support/index.ts";

const WORKSPACES = "/v1/account/workspaces";

let workos: FakeWorkos;
let server: WorkosTestServer;
let api: RestClient;
const org = "org_verification";
const admin = "user_verification_admin";

beforeAll(async () => {
  workos = await FakeWorkos.start();
  server = await startWorkosTestServer(workos.env());
  api = new RestClient(server.url);
});
afterAll(async () => {
  await server?.close();
  await workos?.close();
});

async function call(token: string) {
  return api.get(WORKSPACES, { token });
}

function expectUnauthorized(response: Awaited<ReturnType<typeof call>>) {
  expect(response.status).toBe(401);
  expect(response.body.code).toBe("UNAUTHORIZED");
  expect(JSON.stringify(response.body)).not.toMatch(/stack|at .*\.ts/);
}

describe("WorkOS access tokens", () => {
  it("accepts a valid token from the current key and the user-management issuer", async () => {
    const response = await call(await workos.token({ org, user: admin }));
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([]);
  });

  it("accepts the older environment issuer https://api.workos.com", async () => {
    const response = await call(await workos.token({ org, user: admin, issuer: "https://api.workos.com" }));
    expect(response.status).toBe(200);
  });

  it("caches the key set: a stream of calls fetches the JWKS no more", async () => {
    await call(await workos.token({ org, user: admin }));
    const before = workos.jwksRequests;
    for (let i = 0; i < 5; i++) expect((await call(await workos.token({ org, user: admin }))).status).toBe(200);
    expect(workos.jwksRequests).toBe(before);
  });

  it("refuses an expired token with 401", async () => {
    expectUnauthorized(await call(await workos.token({ org, user: admin, expiresIn: -60 })));
  });

  it("allows a few seconds of clock skew on expiry", async () => {
    const response = await call(await workos.token({ org, user: admin, expiresIn: -2 }));
    expect(response.status).toBe(200);
  });

  it("refuses a token that is not yet valid with 401", async () => {
    expectUnauthorized(await call(await workos.token({ org, user: admin, notBefore: 120 })));
  });

  it("refuses a token from another issuer with 401", async () => {
    expectUnauthorized(await call(await workos.token({ org, user: admin, issuer: "https://evil.example" })));
    expectUnauthorized(
      await call(await workos.token({ org, user: admin, issuer: "https://api.workos.com/user_management/client_other" })),
    );
  });

  it("refuses an HS256 token (signed with the public key's modulus as the secret) with 401", async () => {
    const secret = new TextEncoder().encode(String(workos.currentKey.publicJwk.n));
    const token = await new SignJWT({ org_id: org, role: "admin", roles: ["admin"] })
      .setProtectedHeader({ alg: "HS256", kid: workos.currentKey.kid })
      .setIssuer(workos.issuer)
      .setSubject(admin)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(secret);
    expectUnauthorized(await call(token));
  });

  it("refuses an unsigned alg=none token with 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const payload = base64url.encode(
      JSON.stringify({ iss: workos.issuer, sub: admin, org_id: org, role: "admin", iat: now, exp: now + 300 }),
    );
    expectUnauthorized(await call(`${header}.${payload}.`));
  });

  it("refuses a tampered token (claims changed after signing) with 401", async () => {
    const [header, payload, signature] = (await workos.token({ org, user: admin, role: "member" })).split(".");
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
    const forged = base64url.encode(JSON.stringify({ ...claims, role: "admin", roles: ["admin"] }));
    expectUnauthorized(await call(`${header}.${forged}.${signature}`));
  });

  it("refuses a token signed by a key the JWKS does not publish with 401", async () => {
    const stranger = await FakeWorkos.newKey();
    expectUnauthorized(await call(await workos.token({ org, user: admin, key: stranger })));
  });

  it("refuses a token without org_id with 401", async () => {
    expectUnauthorized(await call(await workos.token({ org: null, user: admin })));
  });

  it("refuses a non-admin role with 403", async () => {
    const response = await call(await workos.token({ org, user: "user_verification_member", role: "member" }));
    expect(response.status).toBe(403);
    expect(response.body.code).toBe("FORBIDDEN");
  });

  it("refuses dev-key tokens: the local key is neither created nor trusted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "workos-devkey-"));
    try {
      const key = await loadOrCreateDevKey(join(dir, "key.json"));
      const token = await signDevToken(key, { issuer: workos.issuer, organizationId: org, userId: admin });
      expectUnauthorized(await call(token));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(server.devKey).toBeUndefined();
    expect(existsSync(join(server.config.dataDir, "dev-jwt-key.json"))).toBe(false);
    expect((await api.get("/.well-known/jwks.json")).status).toBe(404);
  });

  it("picks up a rotated key: a token signed by the new key passes", async () => {
    await call(await workos.token({ org, user: admin }));
    const fetchesBefore = workos.jwksRequests;
    await workos.rotateKey();
    const response = await call(await workos.token({ org, user: admin }));
    expect(response.status).toBe(200);
    expect(workos.jwksRequests).toBe(fetchesBefore + 1);
  });
});

describe("JWKS outage", () => {
  let outage: FakeWorkos;
  let cold: WorkosTestServer;
  beforeAll(async () => {
    outage = await FakeWorkos.start();
    cold = await startWorkosTestServer(outage.env());
  });
  afterAll(async () => {
    await cold?.close();
    await outage?.close();
  });

  it.each([
    ["answers an error status", "down"],
    ["does not answer within the timeout", "hang"],
    ["answers something that is not a key set", "not-json"],
  ] as const)("is 503 when the JWKS %s, never a pass and never a 500", async (_, mode) => {
    outage.jwksMode = mode;
    const response = await new RestClient(cold.url).get(WORKSPACES, { token: await outage.token({ org, user: admin }) });
    expect(response.status).toBe(503);
    expect(response.body.code).toBe("SERVICE_UNAVAILABLE");
    expect(response.body.message).toBe("Token verification is unavailable; retry later");
  });

  it("is 503 when the JWKS server is unreachable", async () => {
    const gone = await startWorkosTestServer(outage.env({ WORKOS_JWKS_URL: "http://127.0.0.1:1/sso/jwks/none" }));
    try {
      const response = await new RestClient(gone.url).get(WORKSPACES, { token: await outage.token({ org, user: admin }) });
      expect(response.status).toBe(503);
    } finally {
      await gone.close();
    }
  });

  it("recovers once the JWKS answers again", async () => {
    outage.jwksMode = "up";
    const response = await new RestClient(cold.url).get(WORKSPACES, { token: await outage.token({ org, user: admin }) });
    expect(response.status).toBe(200);
  });
});

describe("unknown key ids", () => {
  it("cannot make the server hammer WorkOS: within the cooldown they cause no refetch", async () => {
    const source = await FakeWorkos.start();
    const guarded = await startWorkosTestServer(source.env({ WORKOS_JWKS_COOLDOWN_MS: "60000" }));
    try {
      const client = new RestClient(guarded.url);
      expect((await client.get(WORKSPACES, { token: await source.token({ org, user: admin }) })).status).toBe(200);
      const fetches = source.jwksRequests;
      for (let i = 0; i < 5; i++) {
        const forged = await source.token({ org, user: admin, key: await FakeWorkos.newKey() });
        expect((await client.get(WORKSPACES, { token: forged })).status).toBe(401);
      }
      expect(source.jwksRequests).toBe(fetches);
    } finally {
      await guarded.close();
      await source.close();
    }
  });
});
