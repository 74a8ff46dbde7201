import { type CryptoKey, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountEntity } from "../../src/db/entities.ts";
import { RestClient, startTestServer, type TestServer } from "../support/index.ts";

let server: TestServer;
let api: RestClient;

beforeAll(async () => {
  server = await startTestServer();
  api = new RestClient(server.url);
});
afterAll(() => server?.close());

const now = () => Math.floor(Date.now() / 1000);

/** Signs arbitrary claims with the server's dev key (or another key), for the cases npm run token cannot make. */
async function sign(claims: Record<string, unknown>, options: { key?: CryptoKey; kid?: string; iss?: string } = {}) {
  return new SignJWT({ org_id: "org_auth", sub: "user_auth", role: "admin", ...claims })
    .setProtectedHeader({ alg: "RS256", kid: options.kid ?? server.devKey.kid })
    .setIssuer(options.iss ?? server.config.auth.issuer)
    .setIssuedAt()
    .setExpirationTime(typeof claims.exp === "number" ? claims.exp : now() + 600)
    .sign(options.key ?? server.devKey.privateKey);
}

async function accountExists(org: string) {
  return server.db.read((m) => m.createQueryBuilder(AccountEntity, "a").where("a.workosOrganizationId = :org", { org }).getExists());
}

describe("authentication", () => {
  it("answers 401 without a token, on every operation", async () => {
    const responses = await Promise.all([
      api.get("/v1/account/workspaces"),
      api.post("/v1/account/workspaces", { name: "x" }),
      api.get("/v1/account/profiles"),
      api.get("/trpc/workspaces.list"),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.body.error?.message ?? response.body.message).toMatch(/Bearer/);
    }
  });

  it("answers 401 for a malformed header or token", async () => {
    for (const authorization of ["Bearer", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt", "Bearer a b", "token"]) {
      const response = await api.get("/v1/account/workspaces", { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
      expect(response.body.code).toBe("UNAUTHORIZED");
    }
  });

  it("answers 401 for an expired token", async () => {
    const token = await sign({ exp: now() - 60 });
    expect((await api.get("/v1/account/workspaces", { token })).status).toBe(401);
  });

  it("answers 401 for a token from another issuer", async () => {
    const token = await sign({}, { iss: "https://evil.example" });
    expect((await api.get("/v1/account/workspaces", { token })).status).toBe(401);
  });

  it("answers 401 for a token signed by an unknown key", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    expect((await api.get("/v1/account/workspaces", { token: await sign({}, { key: privateKey }) })).status).toBe(401);
    expect((await api.get("/v1/account/workspaces", { token: await sign({}, { key: privateKey, kid: "other" }) })).status).toBe(401);
  });

  it("answers 401 for a tampered payload", async () => {
    const token = await sign({});
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, org_id: "org_victim" })).toString("base64url");
    expect((await api.get("/v1/account/workspaces", { token: `${header}.${forged}.${signature}` })).status).toBe(401);
  });

  it("answers 401 for an unsigned (alg: none) token", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ org_id: "org_none", sub: "u", role: "admin", exp: now() + 600, iss: server.config.auth.issuer })).toString("base64url");
    expect((await api.get("/v1/account/workspaces", { token: `${header}.${payload}.` })).status).toBe(401);
    expect(await accountExists("org_none")).toBe(false);
  });

  it("answers 401 when org_id or sub is missing", async () => {
    expect((await api.get("/v1/account/workspaces", { token: await sign({ org_id: undefined }) })).status).toBe(401);
    const noSub = await new SignJWT({ org_id: "org_nosub", role: "admin" })
      .setProtectedHeader({ alg: "RS256", kid: server.devKey.kid })
      .setIssuer(server.config.auth.issuer)
      .setExpirationTime(now() + 600)
      .sign(server.devKey.privateKey);
    expect((await api.get("/v1/account/workspaces", { token: noSub })).status).toBe(401);
    expect(await accountExists("org_nosub")).toBe(false);
  });

  it("ignores a token in the query string", async () => {
    const token = await server.token({ org: "org_query", user: "u" });
    expect((await api.get("/v1/account/workspaces", { query: { access_token: token } })).status).toBe(401);
  });

  it("answers 403 for a valid token without the admin role, over REST and tRPC, and creates nothing", async () => {
    const token = await server.token({ org: "org_members_only", user: "user_member", role: "member" });
    const rest = await api.get("/v1/account/workspaces", { token });
    expect(rest.status).toBe(403);
    expect(rest.body.code).toBe("FORBIDDEN");
    const create = await api.post("/v1/account/workspaces", { name: "Sneaky" }, { token });
    expect(create.status).toBe(403);
    const trpc = await api.get("/trpc/workspaces.list", { token });
    expect(trpc.status).toBe(403);
    expect(await accountExists("org_members_only")).toBe(false);
  });

  it("accepts the admin role from the roles array alone", async () => {
    const token = await sign({ org_id: "org_roles", role: "member", roles: ["member", "admin"] });
    expect((await api.get("/v1/account/workspaces", { token })).status).toBe(200);
  });

  it("creates the account and the caller's profile on the first admin call", async () => {
    expect(await accountExists("org_first_call")).toBe(false);
    const token = await server.token({ org: "org_first_call", user: "user_first", email: "first@example.test", name: "First" });
    const response = await api.get("/v1/account/profiles", { token });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([expect.objectContaining({ email: "first@example.test", name: "First" })]);
    expect(await accountExists("org_first_call")).toBe(true);
  });

  it("serves the dev public key at /.well-known/jwks.json, without private parts", async () => {
    const response = await api.get("/.well-known/jwks.json");
    expect(response.status).toBe(200);
    expect(response.body.keys).toHaveLength(1);
    expect(response.body.keys[0]).toMatchObject({ kty: "RSA", kid: server.devKey.kid, alg: "RS256" });
    expect(response.body.keys[0].d).toBeUndefined();
  });
});
