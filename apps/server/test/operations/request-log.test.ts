import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateDevKey } from "../../src/auth/dev-keys.ts";
import { signDevToken } from "../../src/auth/tokens.ts";
import { createTestDatabase, RestClient, type ServerProcess, spawnServer, type TestDatabase } from "../support/index.ts";

// The server process's stdout, as an operator's log pipeline reads it: one JSON line per request.

const ISSUER = "urn:workspace-admin:dev";

let dataDir: string;
let database: TestDatabase;
let server: ServerProcess;
let api: RestClient;
let token: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-log-"));
  database = await createTestDatabase(dataDir);
  server = await spawnServer({ DATABASE_URL: database.url, DATA_DIR: dataDir, DEV_TOKEN_ISSUER: ISSUER });
  const key = await loadOrCreateDevKey(join(dataDir, "dev-jwt-key.json"));
  token = await signDevToken(key, { issuer: ISSUER, organizationId: "org_logs", userId: "user_admin" });
  api = new RestClient(server.url, token);
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface RequestLine {
  level: number;
  msg: string;
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  ip: string;
  time: string;
}

function requestLines(): RequestLine[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as RequestLine)
    .filter((entry) => entry.msg === "request");
}

async function lineFor(requestId: string): Promise<RequestLine> {
  await expect.poll(() => requestLines().some((line) => line.requestId === requestId), { timeout: 5_000 }).toBe(true);
  return requestLines().find((line) => line.requestId === requestId)!;
}

describe("request logs", () => {
  it("write one JSON line per request with the caller's x-request-id, echoed in the answer", async () => {
    const response = await api.get("/v1/account/workspaces", { headers: { "x-request-id": "trace-abc.123" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("trace-abc.123");
    const line = await lineFor("trace-abc.123");
    expect(line).toMatchObject({ msg: "request", method: "GET", path: "/v1/account/workspaces", status: 200, level: 30 });
    expect(line.durationMs).toBeGreaterThan(0);
    expect(line.ip).toMatch(/127\.0\.0\.1/);
    expect(Date.parse(line.time)).not.toBeNaN();
  });

  it("give a request without an id a new one, the same in the answer and the log", async () => {
    const response = await api.post("/v1/account/workspaces", { name: "Logged" });
    expect(response.status).toBe(201);
    const id = response.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await lineFor(id)).toMatchObject({ method: "POST", path: "/v1/account/workspaces", status: 201 });
  });

  it("replace an id that is not safe to log", async () => {
    const response = await api.get("/v1/account/workspaces", { headers: { "x-request-id": "bad id\twith spaces" } });
    const id = response.headers.get("x-request-id")!;
    expect(id).not.toContain(" ");
    await lineFor(id);
  });

  it("log refusals and tRPC calls too", async () => {
    const refused = await api.get("/v1/account/workspaces", { token: null, headers: { "x-request-id": "no-token-1" } });
    expect(refused.status).toBe(401);
    expect(await lineFor("no-token-1")).toMatchObject({ status: 401, level: 30 });
    const trpc = await api.get("/trpc/workspaces.list?input=%7B%7D", { headers: { "x-request-id": "trpc-call-1" } });
    expect(trpc.status).toBe(200);
    expect(await lineFor("trpc-call-1")).toMatchObject({ path: "/trpc/workspaces.list", status: 200 });
  });

  it("never write the token or the query string (search terms, emails)", async () => {
    await api.get("/v1/account/profiles", { query: { email: "secret.person@example.test" }, headers: { "x-request-id": "q-1" } });
    expect(await lineFor("q-1")).toMatchObject({ path: "/v1/account/profiles" });
    expect(server.output()).not.toContain("secret.person");
    expect(server.output()).not.toContain(token);
  });
});
