import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateDevKey } from "../src/auth/dev-keys.ts";
import { signDevToken } from "../src/auth/tokens.ts";
import {
  type ApiResponse,
  createTestDatabase,
  RestClient,
  type ServerProcess,
  spawnServer,
  type TestDatabase,
  testDialect,
} from "./support/index.ts";

// Scale-out as deployed: two server processes (`src/main.ts`) started at the same moment on one
// database (they race on the migrations too), 50 clients spread over both, mixed writes that collide on
// purpose. Afterwards the database itself is checked. Runs on SQLite (one file, WAL, two processes) and,
// under `npm run test:pg`, on PostgreSQL.

const CLIENTS = 50;
const USERS = 10;
const OPERATIONS_PER_CLIENT = 12;
const NAMES = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"];
const ORG = `org_scale_${Math.random().toString(36).slice(2, 8)}`;
const ISSUER = "urn:workspace-admin:dev";

let dataDir: string;
let database: TestDatabase;
let servers: ServerProcess[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-scale-"));
  database = await createTestDatabase(dataDir);
  const env = { DATABASE_URL: database.url, DATA_DIR: dataDir, DEV_TOKEN_ISSUER: ISSUER };
  servers = await Promise.all([spawnServer(env), spawnServer(env)]);
}, 120_000);

afterAll(async () => {
  const codes = await Promise.all(servers.map((server) => server.stop()));
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
  expect(codes.every((code) => code === 0)).toBe(true);
});

interface Client {
  apis: RestClient[];
  email: string;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

describe("two server processes on one database", () => {
  it("keep every invariant under 50 concurrent clients doing mixed writes, and never answer 5xx", async () => {
    expect(servers).toHaveLength(2);
    expect(servers[0]?.url).not.toBe(servers[1]?.url);
    const key = await loadOrCreateDevKey(join(dataDir, "dev-jwt-key.json"));

    const clients: Client[] = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const user = `user_scale_${i % USERS}`;
        const email = `${user}@example.test`;
        const token = await signDevToken(key, { issuer: ISSUER, organizationId: ORG, userId: user, email, name: `Scale ${i % USERS}` });
        return { apis: servers.map((server) => new RestClient(server.url, token)), email };
      }),
    );

    const answers: { op: string; server: number; response: ApiResponse }[] = [];
    const call = async (op: string, client: Client, send: (api: RestClient) => Promise<ApiResponse>) => {
      const server = Math.floor(Math.random() * client.apis.length);
      const response = await send(client.apis[server] as RestClient);
      answers.push({ op, server, response });
      return response;
    };

    // 1. Every client's first call at once: the account and ten profiles are created by whichever
    //    process gets there first, in both processes at the same moment.
    const firstCalls = await Promise.all(
      clients.map((client) => call("first call", client, (api) => api.get("/v1/account/profiles", { query: { email: client.email } }))),
    );
    const profileIds = [...new Set(firstCalls.map((r) => r.body?.data?.[0]?.id as string))];
    expect(profileIds).toHaveLength(USERS);

    // 2. Mixed writes over a small set of names and workspaces, so that they collide.
    const workspaceIds: string[] = [];
    const operations: Record<string, (client: Client) => Promise<ApiResponse>> = {
      create: (client) =>
        call("create", client, (api) => api.post("/v1/account/workspaces", { name: pick(NAMES) })).then((r) => {
          if (r.status === 201) workspaceIds.push(r.body.id);
          return r;
        }),
      rename: (client) =>
        call("rename", client, (api) => api.patch(`/v1/account/workspaces/${pick(workspaceIds)}`, { name: pick(NAMES) })),
      add: (client) =>
        call("add", client, (api) =>
          api.post(`/v1/account/workspaces/${pick(workspaceIds)}/members`, { profileId: pick(profileIds) }),
        ),
      remove: (client) =>
        call("remove", client, (api) => api.delete(`/v1/account/workspaces/${pick(workspaceIds)}/members/${pick(profileIds)}`)),
      archive: (client) => call("archive", client, (api) => api.delete(`/v1/account/workspaces/${pick(workspaceIds)}`)),
      list: (client) => call("list", client, (api) => api.get("/v1/account/workspaces")),
    };
    const mix = ["create", "create", "add", "add", "add", "add", "remove", "rename", "archive", "list"];
    await Promise.all(
      clients.map(async (client) => {
        await operations.create?.(client);
        for (let n = 1; n < OPERATIONS_PER_CLIENT; n++) {
          const op = workspaceIds.length === 0 ? "create" : pick(mix);
          await operations[op]?.(client);
        }
      }),
    );

    // No request failed on the server's side, on either process.
    const failures = answers.filter((a) => a.response.status >= 500).map((a) => [a.op, a.server, a.response.status, a.response.body]);
    expect(failures, servers.map((s) => s.output()).join("\n")).toEqual([]);
    for (const a of answers) expect([200, 201, 404, 409]).toContain(a.response.status);
    expect(answers.length).toBe(CLIENTS * (OPERATIONS_PER_CLIENT + 1));
    // Both processes served, and the collisions really happened.
    for (const server of [0, 1]) expect(answers.filter((a) => a.server === server).length).toBeGreaterThan(100);
    const count = (op: string, status: number) => answers.filter((a) => a.op === op && a.response.status === status).length;
    expect(count("create", 201)).toBeGreaterThan(0);
    expect(count("create", 409)).toBeGreaterThan(0);
    expect(count("add", 201)).toBeGreaterThan(0);
    expect(count("add", 409)).toBeGreaterThan(0);

    // 3. The invariants, read from the database itself.
    expect(await database.query("SELECT workos_organization_id FROM accounts")).toEqual([{ workos_organization_id: ORG }]);
    const profiles = await database.query<{ n: number | string }>("SELECT count(*) AS n FROM profiles");
    expect(Number(profiles[0]?.n)).toBe(USERS);
    const duplicateMembers = await database.query(
      `SELECT workspace_id, profile_id FROM workspace_members WHERE removed_at IS NULL
       GROUP BY workspace_id, profile_id HAVING count(*) > 1`,
    );
    expect(duplicateMembers).toEqual([]);
    const membersAfterArchive = await database.query(
      `SELECT m.id FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
       WHERE w.archived_at IS NOT NULL AND m.added_at > w.archived_at`,
    );
    expect(membersAfterArchive).toEqual([]);
    const duplicateNames = await database.query(
      `SELECT account_id, name_key FROM workspaces WHERE archived_at IS NULL GROUP BY account_id, name_key HAVING count(*) > 1`,
    );
    expect(duplicateNames).toEqual([]);
    // Every 201 of an add is a member row that exists (nothing acknowledged was lost).
    const memberRows = await database.query<{ id: string }>("SELECT id FROM workspace_members");
    const rowIds = new Set(memberRows.map((row) => row.id));
    for (const a of answers.filter((a) => a.op === "add" && a.response.status === 201)) {
      expect(rowIds.has(a.response.body.actorId)).toBe(true);
    }
    expect(database.dialect).toBe(testDialect);
    // 650 requests through two processes on two shared cores: slow on a busy machine, not a speed test.
  }, 180_000);
});
