import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadOrCreateDevKey } from "../../src/auth/dev-keys.ts";
import { signDevToken } from "../../src/auth/tokens.ts";
import { createTestDatabase, RestClient, type ServerProcess, spawnServer, type TestDatabase } from "../support/index.ts";

// SIGTERM as an orchestrator sends it: the request being served finishes, nothing new gets in, the
// database closes cleanly and the process exits 0. A request is held "in flight" deterministically by
// sending its headers and only half of its body before the signal.

const ISSUER = "urn:workspace-admin:dev";

let dataDir: string;
let database: TestDatabase;
let server: ServerProcess | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}) {
  dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-shutdown-"));
  database = await createTestDatabase(dataDir);
  const base = { DATABASE_URL: database.url, DATA_DIR: dataDir, DEV_TOKEN_ISSUER: ISSUER };
  server = await spawnServer({ ...base, ...env });
  const key = await loadOrCreateDevKey(join(dataDir, "dev-jwt-key.json"));
  const token = await signDevToken(key, { issuer: ISSUER, organizationId: "org_shutdown", userId: "user_admin" });
  return { server, token, base };
}

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Everything the server sends on this socket until it closes it. */
function readAll(socket: Socket): Promise<string> {
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return new Promise((resolve) => socket.once("close", () => resolve(text)));
}

function exited(process: ServerProcess): Promise<number | null> {
  const child = process.child;
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

const refused = (url: string) =>
  fetch(`${url}/healthz`).then(
    () => false,
    () => true,
  );

describe("graceful shutdown on SIGTERM", () => {
  it("finishes the request in flight, refuses new connections, closes the database and exits 0", async () => {
    const { server, token, base } = await start();
    const body = JSON.stringify({ name: "Created during shutdown" });
    const socket = await open(server.url);
    const answer = readAll(socket);
    socket.write(
      [
        "POST /v1/account/workspaces HTTP/1.1",
        `Host: ${new URL(server.url).host}`,
        `Authorization: Bearer ${token}`,
        "Content-Type: application/json",
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body.slice(0, 10),
      ].join("\r\n"),
    );
    // Let the server read the headers and start on the request.
    await new Promise((resolve) => setTimeout(resolve, 300));

    server.child.kill("SIGTERM");
    await expect.poll(() => server.output(), { timeout: 10_000 }).toMatch(/"msg":"shutting down"/);
    await expect.poll(() => refused(server.url), { timeout: 10_000 }).toBe(true);

    socket.write(body.slice(10));
    const raw = await answer;
    expect(raw).toMatch(/^HTTP\/1\.1 201 /);
    expect(raw.toLowerCase()).toContain("connection: close");
    const created = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)) as { id: string; name: string };
    expect(created.name).toBe("Created during shutdown");

    expect(await exited(server)).toBe(0);
    expect(server.output()).toMatch(/shut down cleanly/);

    // The acknowledged write is there after a restart on the same database.
    const again = await spawnServer(base);
    try {
      const read = await new RestClient(again.url, token).get(`/v1/account/workspaces/${created.id}`);
      expect(read.status).toBe(200);
      expect(read.body.name).toBe("Created during shutdown");
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });

  it("closes idle keep-alive connections at once, so nothing new runs on them, and still finishes the busy one", async () => {
    const { server, token } = await start();
    const host = new URL(server.url).host;
    const slow = await open(server.url);
    const slowAnswer = readAll(slow);
    const body = JSON.stringify({ name: "Slow" });
    slow.write(
      `POST /v1/account/workspaces HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 3)}`,
    );
    // A second connection that has finished one request and stays open (keep-alive).
    const idle = await open(server.url);
    const idleAnswers = readAll(idle);
    idle.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 300));

    server.child.kill("SIGTERM");
    await expect.poll(() => server.output(), { timeout: 10_000 }).toMatch(/"msg":"shutting down"/);
    // The idle connection is closed by the server (it carried no request), so nothing new runs on it.
    const idleText = await idleAnswers;
    expect(idleText.match(/HTTP\/1\.1 /g)).toHaveLength(1);

    slow.write(body.slice(3));
    expect(await slowAnswer).toMatch(/^HTTP\/1\.1 201 /);
    expect(await exited(server)).toBe(0);
  });

  it("cuts a stuck client after SHUTDOWN_TIMEOUT_MS and still exits cleanly", async () => {
    const { server, token } = await start({ SHUTDOWN_TIMEOUT_MS: "1000" });
    const stuck = await open(server.url);
    const closed = readAll(stuck);
    stuck.write(
      `POST /v1/account/workspaces HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nAuthorization: Bearer ${token}\r\n` +
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalled = Date.now();
    server.child.kill("SIGTERM");
    expect(await exited(server)).toBe(0);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(8_000);
    expect(server.output()).toMatch(/cut connections still open after the timeout/);
    await closed;
    // Nothing half-received was written.
    const rows = await database.query<{ count: number | string }>("SELECT COUNT(*) AS count FROM workspaces");
    expect(Number(rows[0]?.count)).toBe(0);
  });
});
