import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateDevKey } from "../../src/auth/dev-keys.ts";
import { signDevToken } from "../../src/auth/tokens.ts";
import {
  type ApiResponse,
  createTestDatabase,
  RestClient,
  type ServerProcess,
  spawnServer,
  type TestDatabase,
  testDialect,
} from "../support/index.ts";
import {
  AcknowledgedState,
  acknowledged,
  type AuditRow,
  auditMismatches,
  type Observed,
  type SentWrite,
  unanswered,
  type Write,
  type WorkspaceState,
} from "./write-model.ts";

// Crash durability: a real server process (`src/main.ts`) takes a stream of concurrent writes and is
// killed with SIGKILL while requests are in flight, then restarted on the same data, three times over.
// Every write it acknowledged (2xx) must be there afterwards with its acknowledged value, with its audit
// event; a write the kill cut off may or may not have happened, but all of it or nothing (its audit
// event exactly when its change). The database must pass its own checks (SQLite: integrity_check and
// foreign_key_check on the file the dead process left; both: the schema's invariants). SQLite runs with
// WAL and synchronous=NORMAL, which loses nothing committed when only the process dies.

const CYCLES = 3;
const CLIENTS = 16;
const USERS = 8;
/** Acknowledged writes per cycle before the kill: picked at random in this range. */
const KILL_AFTER = { min: 100, max: 200 };
/** The kill lands up to this long after the target number of acknowledgements. */
const KILL_JITTER_MS = 30;
const ORG = `org_crash_${Math.random().toString(36).slice(2, 8)}`;
const ISSUER = "urn:workspace-admin:dev";
const workspacesPath = "/v1/account/workspaces";

interface CycleReport {
  cycle: number;
  writes: SentWrite[];
  /** Unanswered writes sent before the kill: the ones in flight when it landed. */
  inFlightAtKill: number;
  integrity: Record<string, unknown[]>;
  apiMismatches: string[];
  tableMismatches: string[];
  auditMismatches: string[];
}

let dataDir: string;
let database: TestDatabase;
let server: ServerProcess | undefined;
let tokens: string[] = [];
const profileIds: string[] = [];
const reports: CycleReport[] = [];
const model = new AcknowledgedState();
const allWrites: SentWrite[] = [];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const env = () => ({ DATABASE_URL: database.url, DATA_DIR: dataDir, DEV_TOKEN_ISSUER: ISSUER });

beforeAll(async () => {
  const started = Date.now();
  dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-crash-"));
  database = await createTestDatabase(dataDir);
  server = await spawnServer(env());
  const key = await loadOrCreateDevKey(join(dataDir, "dev-jwt-key.json"));
  tokens = await Promise.all(
    Array.from({ length: USERS }, (_, i) =>
      signDevToken(key, { issuer: ISSUER, organizationId: ORG, userId: `user_crash_${i}`, email: `crash${i}@example.test`, name: `Crash ${i}` }),
    ),
  );
  // Each admin's first call creates their profile; the profiles are also the members the writes add.
  for (const [i, token] of tokens.entries()) {
    const first = await new RestClient(server.url, token).get("/v1/account/profiles", { query: { email: `crash${i}@example.test` } });
    if (first.status !== 200) throw new Error(`profile setup failed: ${first.status} ${JSON.stringify(first.body)}`);
    profileIds.push(first.body.data[0].id);
  }

  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    const cycleStarted = Date.now();
    const writes = await writeUntilKilled(cycle, server);
    allWrites.push(...writes);
    const killedAt = Date.now();
    const report: CycleReport = {
      cycle,
      writes,
      inFlightAtKill: writes.filter((sent) => sent.sentBeforeKill && sent.status === undefined).length,
      integrity: {},
      apiMismatches: [],
      tableMismatches: [],
      auditMismatches: [],
    };
    reports.push(report);
    // The file as the dead process left it (WAL included), before a new server opens and recovers it.
    const walBytes = database.dialect === "sqlite" ? walSize() : 0;
    report.integrity = await integrityChecks("after the kill");
    const restarting = Date.now();
    server = await spawnServer(env());
    const restartMs = Date.now() - restarting;
    Object.assign(report.integrity, await integrityChecks("after the restart"));
    await verify(report, server);
    console.log(
      `cycle ${cycle} (${database.dialect}): ${writes.filter(acknowledged).length} acknowledged, ${report.inFlightAtKill} in flight ` +
        `at the kill (${writes.filter((s) => s.happened).length} of the unanswered happened)` +
        `${database.dialect === "sqlite" ? `, WAL left ${walBytes} bytes` : ""}; ` +
        `writes ${killedAt - cycleStarted} ms, restart ${restartMs} ms, checks ${Date.now() - killedAt - restartMs} ms`,
    );
  }
  console.log(`crash test: ${Date.now() - started} ms in all`);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The next write of one client: always one that changes something and that nothing else can refuse. */
function nextWrite(client: number, cycle: number, n: number): Write {
  const mine = model.activeWorkspacesOf(client);
  const name = `c${client}-${cycle}-${n}`;
  const roll = Math.random();
  if (mine.length < 2 || roll < 0.15) return { kind: "create", name };
  const [workspaceId, state] = pick(mine) as [string, WorkspaceState];
  const members = [...state.members.keys()];
  const others = profileIds.filter((id) => !state.members.has(id));
  if (roll < 0.22 && mine.length > 3) return { kind: "archive", workspaceId };
  if (roll < 0.45) return { kind: "rename", workspaceId, name: `${name} renamed` };
  if ((roll < 0.75 && others.length > 0) || members.length === 0) return { kind: "add", workspaceId, profileId: pick(others) };
  return { kind: "remove", workspaceId, profileId: pick(members) };
}

function send(api: RestClient, write: Write, requestId: string): Promise<ApiResponse> {
  const options = { headers: { "x-request-id": requestId } };
  const workspace = write.kind === "create" ? "" : `${workspacesPath}/${write.workspaceId}`;
  switch (write.kind) {
    case "create":
      return api.post(workspacesPath, { name: write.name }, options);
    case "rename":
      return api.patch(workspace, { name: write.name }, options);
    case "archive":
      return api.delete(workspace, options);
    case "add":
      return api.post(`${workspace}/members`, { profileId: write.profileId }, options);
    case "remove":
      return api.delete(`${workspace}/members/${write.profileId}`, options);
  }
}

/**
 * CLIENTS clients, each sending one write after another without pause, until the server is killed: the
 * kill is sent just after the chosen number of writes has been acknowledged, while the clients' requests
 * are in flight. A client stops at its first write without an answer.
 */
async function writeUntilKilled(cycle: number, target: ServerProcess): Promise<SentWrite[]> {
  const killAfter = KILL_AFTER.min + Math.floor(Math.random() * (KILL_AFTER.max - KILL_AFTER.min));
  const writes: SentWrite[] = [];
  let acknowledgedCount = 0;
  let killed = false;
  const exited = new Promise((resolve) => {
    if (target.child.exitCode !== null || target.child.signalCode !== null) resolve(undefined);
    else target.child.once("exit", resolve);
  });
  const kill = () => {
    if (killed) return;
    killed = true;
    target.child.kill("SIGKILL");
  };
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const api = new RestClient(target.url, tokens[client % USERS]!);
      for (let n = 0; ; n++) {
        const write = nextWrite(client, cycle, n);
        const sent: SentWrite = { write, requestId: `crash-${cycle}-${client}-${n}`, client, sentBeforeKill: !killed };
        writes.push(sent);
        let response: ApiResponse;
        try {
          response = await send(api, write, sent.requestId);
        } catch {
          return; // the connection died with the server (or found none)
        }
        sent.status = response.status;
        sent.body = response.body;
        if (unanswered(sent)) return;
        if (!acknowledged(sent)) continue; // refused: changed nothing (and fails the test below)
        model.acknowledge(sent);
        // A little after the target, at a moment no answer decides, so it can fall between a commit and
        // its answer.
        if (++acknowledgedCount === killAfter) setTimeout(kill, Math.random() * KILL_JITTER_MS);
      }
    }),
  );
  kill(); // every client stopped before the target (the server failed): the test reports it
  await exited;
  return writes;
}

/** SQLite: the file's own checks. Both: the schema's invariants, which a torn write would break. */
async function integrityChecks(when: string): Promise<Record<string, unknown[]>> {
  const checks: Record<string, string> = {
    "members of a missing workspace or profile, or of another account": `SELECT m.id FROM workspace_members m
       LEFT JOIN workspaces w ON w.id = m.workspace_id LEFT JOIN profiles p ON p.id = m.profile_id
       WHERE w.id IS NULL OR p.id IS NULL OR w.account_id <> m.account_id OR p.account_id <> m.account_id`,
    "audit events of a missing workspace or actor": `SELECT e.id FROM audit_events e
       LEFT JOIN workspaces w ON w.id = e.workspace_id LEFT JOIN profiles p ON p.id = e.actor_profile_id
       WHERE (e.workspace_id IS NOT NULL AND w.id IS NULL) OR (e.actor_profile_id IS NOT NULL AND p.id IS NULL)`,
    "two active workspaces of one name": `SELECT account_id, name_key FROM workspaces WHERE archived_at IS NULL
       GROUP BY account_id, name_key HAVING count(*) > 1`,
    "two active memberships of one profile in one workspace": `SELECT workspace_id, profile_id FROM workspace_members
       WHERE removed_at IS NULL GROUP BY workspace_id, profile_id HAVING count(*) > 1`,
  };
  if (database.dialect === "sqlite") checks["PRAGMA foreign_key_check"] = "PRAGMA foreign_key_check";
  const results: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(checks)) results[`${when}: ${name}`] = await database.query(sql);
  if (database.dialect === "sqlite") {
    // One row saying "ok", or the problems found; kept as the problems only.
    const rows = await database.query<{ integrity_check: string }>("PRAGMA integrity_check");
    const answers = rows.map((row) => row.integrity_check);
    results[`${when}: PRAGMA integrity_check`] = answers.length === 1 && answers[0] === "ok" ? [] : [...answers, `${answers.length} answers`];
  }
  return results;
}

function walSize(): number {
  const wal = join(dataDir, "workspace-admin.sqlite-wal");
  return existsSync(wal) ? statSync(wal).size : 0;
}

async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

/** The restarted server's state, through the API. */
async function observeThroughApi(api: RestClient): Promise<Observed> {
  const workspaces = await api.walk(workspacesPath, { includeArchived: "true", limit: 100 });
  const members = await inParallel(workspaces, 8, (workspace) => api.walk(`${workspacesPath}/${workspace.id}/members`, { limit: 100 }));
  const observed: Observed = { workspaces: new Map() };
  workspaces.forEach((workspace, i) => {
    observed.workspaces.set(workspace.id, {
      name: workspace.name,
      archived: workspace.archivedAt !== null,
      version: workspace.version,
      members: new Map(members[i]!.map((member) => [member.profileId as string, member.actorId as string])),
    });
  });
  return observed;
}

/** The same, read from the tables with a connection of the test's own. */
async function observeTables(): Promise<Observed> {
  const workspaces = await database.query<{ id: string; name: string; archived_at: string | null; version: number }>(
    "SELECT id, name, archived_at, version FROM workspaces",
  );
  const members = await database.query<{ id: string; workspace_id: string; profile_id: string; removed_at: string | null }>(
    "SELECT id, workspace_id, profile_id, removed_at FROM workspace_members",
  );
  const observed: Observed = { workspaces: new Map(), removedActorIds: new Set() };
  for (const row of workspaces) {
    observed.workspaces.set(row.id, { name: row.name, archived: row.archived_at !== null, version: Number(row.version), members: new Map() });
  }
  for (const row of members) {
    if (row.removed_at !== null) observed.removedActorIds!.add(row.id);
    else observed.workspaces.get(row.workspace_id)?.members.set(row.profile_id, row.id);
  }
  return observed;
}

async function verify(report: CycleReport, restarted: ServerProcess): Promise<void> {
  const api = new RestClient(restarted.url, tokens[0]!);
  const unansweredWrites = report.writes.filter(unanswered);
  const throughApi = model.compare(unansweredWrites, await observeThroughApi(api));
  const tables = await observeTables();
  const inTables = model.compare(unansweredWrites, tables);
  report.apiMismatches = throughApi.mismatches;
  report.tableMismatches = inTables.mismatches;
  model.settle(unansweredWrites, inTables, tables);

  const events = await database.query<AuditRow>("SELECT id, request_id, action, target_id, workspace_id, changes FROM audit_events");
  report.auditMismatches = auditMismatches(allWrites, events);
  // The audit trail the API lists is the one in the table.
  const listed = await api.walk("/v1/account/audit-events", { limit: 100 });
  const stored = new Map(events.map((event) => [event.id, event.request_id]));
  if (listed.length !== events.length) report.auditMismatches.push(`the API lists ${listed.length} audit events, the table holds ${events.length}`);
  for (const event of listed) {
    if (stored.get(event.id) !== event.requestId) report.auditMismatches.push(`audit event ${event.id} listed with request ${event.requestId}`);
  }
}

describe(`a server killed with SIGKILL in the middle of concurrent writes, ${CYCLES} times (${testDialect})`, () => {
  it("is killed while writes are in flight, after having acknowledged some", () => {
    expect(reports).toHaveLength(CYCLES);
    for (const report of reports) {
      expect(report.writes.filter(acknowledged).length, `cycle ${report.cycle}`).toBeGreaterThanOrEqual(KILL_AFTER.min);
    }
    // Usually all 16 clients have a write in flight; a kill that lands just after the server answered
    // most of them (a descheduled test process) cuts off fewer, so the count is summed over the cycles.
    expect(reports.reduce((sum, report) => sum + report.inFlightAtKill, 0)).toBeGreaterThan(0);
  });

  it("answers every write 2xx until the kill (nothing refused, no server error)", () => {
    const answered = allWrites.filter((sent) => sent.status !== undefined);
    expect(answered.length).toBeGreaterThan(0);
    const failed = answered.filter((sent) => !acknowledged(sent)).map((s) => [s.requestId, s.write, s.status, s.body]);
    expect(failed).toEqual([]);
  });

  it("leaves a database that passes its integrity checks after each kill and restart", () => {
    expect(reports).toHaveLength(CYCLES);
    for (const report of reports) {
      expect(Object.keys(report.integrity).length).toBe(database.dialect === "sqlite" ? 12 : 8);
      for (const [check, rows] of Object.entries(report.integrity)) expect(rows, `cycle ${report.cycle}, ${check}`).toEqual([]);
    }
  });

  it("serves every acknowledged write after the restart, with its acknowledged value", () => {
    expect(reports).toHaveLength(CYCLES);
    for (const report of reports) expect(report.apiMismatches, `cycle ${report.cycle}`).toEqual([]);
    expect(model.workspaces.size).toBeGreaterThan(0);
  });

  it("holds every acknowledged write in the tables, and each cut-off write whole or not at all", () => {
    expect(reports).toHaveLength(CYCLES);
    for (const report of reports) expect(report.tableMismatches, `cycle ${report.cycle}`).toEqual([]);
    // Every unanswered write was settled one way or the other (a state that fits neither is a mismatch).
    expect(allWrites.filter((sent) => unanswered(sent) && sent.happened === undefined)).toEqual([]);
  });

  it("has exactly one audit event for each acknowledged change, and one for a cut-off change exactly when it happened", () => {
    expect(reports).toHaveLength(CYCLES);
    for (const report of reports) expect(report.auditMismatches, `cycle ${report.cycle}`).toEqual([]);
  });
});
