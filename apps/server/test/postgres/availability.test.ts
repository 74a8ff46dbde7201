import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toTRPCError } from "../../src/trpc/errors.ts";
import {
  type ApiResponse,
  createTestDatabase,
  RestClient,
  startTestServer,
  TcpProxy,
  type TestDatabase,
  type TestServer,
} from "../support/index.ts";

// PostgreSQL only (run by `npm run test:pg`): a server that starts while its database is down, serves
// 503 meanwhile, and recovers on its own, twice; and the connection settings users set.

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

const expectGenericUnavailable = (response: ApiResponse) => {
  expect(response.status).toBe(503);
  expect(response.body).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: "The database is unavailable; retry later" });
  expect(JSON.stringify(response.body)).not.toMatch(/ECONN|127\.0\.0\.1|SELECT|INSERT|postgres|stack/i);
};

describe("a server whose PostgreSQL is down", () => {
  let dataDir: string;
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  let api: RestClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-outage-"));
    database = await createTestDatabase(dataDir, "postgres");
    const real = new URL(database.url);
    proxy = await TcpProxy.create({ host: real.hostname, port: Number(real.port || 5432) });
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    // Nothing listens on the proxy's port yet: the database is "down" when the server starts.
    server = await startTestServer({ DATABASE_URL: viaProxy.toString() });
    const token = await server.token({ org: "org_outage", user: "user_outage", email: "o@example.test", name: "Outage" });
    api = new RestClient(server.url, token);
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.down();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ready = async () => (await api.get("/readyz", { token: null })).status === 200;
  const unready = async () => (await api.get("/readyz", { token: null })).status === 503;

  it("starts anyway: alive on /healthz, 503 on /readyz and a generic 503 on the API", async () => {
    expect((await api.get("/healthz", { token: null })).status).toBe(200);
    const readiness = await api.get("/readyz", { token: null });
    expect(readiness.status).toBe(503);
    expect(readiness.body).toMatchObject({ status: "unavailable", database: "down", dialect: "postgres" });
    expectGenericUnavailable(await api.get("/v1/account/workspaces"));
    expectGenericUnavailable(await api.post("/v1/account/workspaces", { name: "Too early" }));
    const trpc = await api.get("/trpc/workspaces.list?input=%7B%7D");
    expect(trpc.status).toBe(503);
    expect(JSON.stringify(trpc.body)).not.toMatch(/ECONN|127\.0\.0\.1|SELECT/);
  });

  it("migrates and serves once the database is reachable, without a restart", async () => {
    await proxy.up();
    await until("/readyz to answer 200", ready);
    const created = await api.post("/v1/account/workspaces", { name: "After start" });
    expect(created.status).toBe(201);
    const tables = await database.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(["accounts", "migrations", "workspaces"]));
  });

  it("answers 503 (never 500) while the database goes away, then recovers by itself", async () => {
    await proxy.down();
    await until("/readyz to answer 503", unready);
    const during = await Promise.all([
      api.get("/v1/account/workspaces"),
      api.post("/v1/account/workspaces", { name: "During the outage" }),
    ]);
    for (const response of during) expectGenericUnavailable(response);

    await proxy.up();
    await until("/readyz to answer 200 again", ready);
    const after = await api.post("/v1/account/workspaces", { name: "After the outage" });
    expect(after.status).toBe(201);
    const names = (await api.walk("/v1/account/workspaces")).map((w) => w.name);
    expect(names).toEqual(expect.arrayContaining(["After start", "After the outage"]));
    expect(names).not.toContain("During the outage");
  });
});

describe("connection settings", () => {
  it("DATABASE_STATEMENT_TIMEOUT_MS bounds every statement, and a timed-out one is a 503", async () => {
    const server = await startTestServer({ DATABASE_STATEMENT_TIMEOUT_MS: "250" });
    try {
      const [setting] = await server.db.read((m) => m.query("SHOW statement_timeout"));
      expect(setting.statement_timeout).toBe("250ms");
      const error = await server.db.read((m) => m.query("SELECT pg_sleep(2)")).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeDefined();
      expect(toTRPCError(error).code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      await server.close();
    }
  });

  it("DATABASE_POOL_SIZE caps the connections one server opens", async () => {
    const server = await startTestServer({ DATABASE_POOL_SIZE: "3" });
    try {
      const pids = await Promise.all(
        Array.from({ length: 9 }, () =>
          server.db.read(async (m) => (await m.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.2)"))[0].pid as number),
        ),
      );
      expect(new Set(pids).size).toBe(3);
    } finally {
      await server.close();
    }
  });

  it("takes SSL from the URL: sslmode=require is refused by a server without SSL, sslmode=disable works", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-ssl-"));
    const database = await createTestDatabase(dataDir, "postgres");
    const [ssl] = await database.query<{ ssl: string }>("SHOW ssl");
    const withMode = (mode: string) => {
      const url = new URL(database.url);
      url.searchParams.set("sslmode", mode);
      return url.toString();
    };
    const required = await startTestServer({ DATABASE_URL: withMode("require") });
    const disabled = await startTestServer({ DATABASE_URL: withMode("disable") });
    try {
      const readiness = await new RestClient(required.url).get("/readyz");
      // The test PostgreSQL has SSL off (checked here): demanding it must keep the server unready.
      expect(ssl?.ssl).toBe("off");
      expect(readiness.status).toBe(503);
      expect((await new RestClient(disabled.url).get("/readyz")).status).toBe(200);
    } finally {
      await required.close();
      await disabled.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
