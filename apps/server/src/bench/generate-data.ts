import { rmSync, writeFileSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { idPrefixes } from "@workspace-admin/contracts";
import { Database } from "../db/database.ts";
import { ulid } from "../db/ids.ts";
import { PROFILE_SEARCH_BACKFILL } from "../db/migrations/sqlite/1796324650000-profile-search-trigram.ts";
import { foldCase, profileSearchKey } from "../db/text-keys.ts";
import {
  BENCH_DB_FILE,
  BENCH_DIR,
  BENCH_ORG,
  type DatasetManifest,
  MANIFEST_FILE,
} from "./dataset.ts";

/**
 * `npm run bench:data`: a fresh scale data set for the benchmark. One account with 1,000,000 profiles,
 * 10,000 workspaces, one of them with 100,000 members. The schema comes from the real migrations; rows
 * are written in bulk (multi-row prepared INSERTs in one transaction) with every derived column
 * computed by the same functions the services use (foldCase, profileSearchKey, ULIDs).
 *
 * Options: --profiles N --workspaces N --members N (defaults above).
 */
const FIRST = [
  "Ada", "Björn", "Chloé", "Dmitri", "Émile", "Fatima", "Grace", "Hiro", "Ingrid", "José", "Kwame", "Léa",
  "Marta", "Nikolai", "Olga", "Pedro", "Quentin", "Rosa", "Sven", "Tomás", "Ulla", "Vera", "Wen", "Yusuf",
  "Zoë", "Οδυσσέας", "Ελένη", "Иван", "Анна", "Søren", "Ægir", "Łukasz", "Ömer", "Ğülşen", "Jürgen", "Straße",
];
const LAST = [
  "Lovelace", "Ström", "Dubois", "Ivanov", "Zola", "Haddad", "Hopper", "Tanaka", "Müller", "García",
  "Novak", "Kowalski", "Rossi", "Nakamura", "Okafor", "Silva", "Johansson", "Petrov", "Λαέρτιος",
  "Παπαδοπούλου", "Смирнов", "Кузнецова", "Andersen", "Yılmaz", "Nguyen", "O'Brien", "Schmidt", "Fischer",
  "Costa", "Moreau", "Janssen", "Horvat", "Popescu", "Virtanen", "Berg", "Lindqvist", "Kim", "Park",
];

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
  return value;
}

const ascii = (text: string) =>
  text.normalize("NFD").replace(/\p{M}/gu, "").replace(/[^A-Za-z]/g, "").toLowerCase() || "x";

/** Inserts `rows` in statements of `perStatement` rows, each a cached prepared statement. */
function bulkInsert(sqlite: BetterSqlite3.Database, table: string, columns: string[], rows: unknown[][]) {
  const perStatement = Math.floor(30_000 / columns.length);
  const statements = new Map<number, BetterSqlite3.Statement>();
  const statementFor = (count: number) => {
    let statement = statements.get(count);
    if (!statement) {
      const tuple = `(${columns.map(() => "?").join(", ")})`;
      statement = sqlite.prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array.from({ length: count }, () => tuple).join(", ")}`,
      );
      statements.set(count, statement);
    }
    return statement;
  };
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    statementFor(chunk.length).run(chunk.flat());
  }
}

async function main() {
  const profiles = option("profiles", 1_000_000);
  const workspaces = option("workspaces", 10_000);
  const members = Math.min(option("members", 100_000), profiles);
  if (workspaces < 4) throw new Error("--workspaces must be at least 4 (one big, three empty for adds)");
  const started = performance.now();

  rmSync(BENCH_DB_FILE, { force: true });
  rmSync(`${BENCH_DB_FILE}-wal`, { force: true });
  rmSync(`${BENCH_DB_FILE}-shm`, { force: true });
  // The real schema: the same migrations the server runs.
  const db = await Database.open({ dialect: "sqlite", file: BENCH_DB_FILE });
  await db.close();

  const sqlite = new BetterSqlite3(BENCH_DB_FILE);
  // A fresh file that is thrown away if this fails: no journal, no fsync. The server turns WAL on.
  sqlite.pragma("journal_mode = OFF");
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -200000");
  const phase = (label: string) => {
    const cpu = process.cpuUsage();
    const seconds = (n: number) => (n / 1000).toFixed(1);
    process.stdout.write(
      `  ${label}: ${seconds(performance.now() - started)} s (CPU ${seconds((cpu.user + cpu.system) / 1000)} s)\n`,
    );
  };

  // Loading into bare tables and building each index once afterwards (a sort) is several times faster
  // than keeping them up to date row by row. The index and trigger definitions are the migrations' own,
  // read back from the schema and recreated verbatim.
  const tables = ["profiles", "workspaces", "workspace_members"];
  const deferred = sqlite
    .prepare(
      `SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL
       AND tbl_name IN (${tables.map(() => "?").join(", ")})`,
    )
    .all(...tables) as { type: "index" | "trigger"; name: string; sql: string }[];
  for (const item of deferred) sqlite.exec(`DROP ${item.type.toUpperCase()} ${item.name}`);

  // Timestamps step back from now so ids (ULIDs of the same instant) and created_at agree.
  // A new millisecond every 32 rows: within one, ulid() increments its random part instead of drawing
  // fresh random bytes, which is most of its cost.
  let clock = Date.now() - (profiles + workspaces + members) / 16;
  let sameMs = 0;
  const tick = () => (sameMs++ % 32 === 0 ? (clock += 1) : clock);
  const stamp = (ms: number) => new Date(ms).toISOString();
  const id = (prefix: string, ms: number) => `${prefix}_${ulid(ms)}`;

  const asciiFirst = FIRST.map(ascii);
  const asciiLast = LAST.map(ascii);
  const accountMs = tick();
  const accountId = id(idPrefixes.account, accountMs);
  const profileIds: string[] = new Array<string>(profiles);
  const workspaceIds: string[] = new Array<string>(workspaces);
  let memberBeforePage1000 = "";

  sqlite.transaction(() => {
    sqlite
      .prepare("INSERT INTO accounts (id, workos_organization_id, created_at) VALUES (?, ?, ?)")
      .run(accountId, BENCH_ORG, stamp(accountMs));

    phase("schema ready");
    const batch = 100_000;
    for (let start = 0; start < profiles; start += batch) {
      const rows: unknown[][] = [];
      for (let i = start; i < Math.min(start + batch, profiles); i++) {
        const first = FIRST[i % FIRST.length]!;
        const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
        const name = `${first} ${last}`;
        const email = `${asciiFirst[i % FIRST.length]}.${asciiLast[Math.floor(i / FIRST.length) % LAST.length]}.${i}@example.com`;
        const ms = tick();
        const profileId = id(idPrefixes.profile, ms);
        profileIds[i] = profileId;
        const at = stamp(ms);
        rows.push([profileId, accountId, `user_bench_${i}`, email, foldCase(email), name, profileSearchKey(name, email), at, at]);
      }
      bulkInsert(
        sqlite,
        "profiles",
        ["id", "account_id", "workos_user_id", "email", "email_key", "name", "search_key", "created_at", "updated_at"],
        rows,
      );
    }

    phase("profiles written");
    const workspaceRows: unknown[][] = [];
    for (let i = 0; i < workspaces; i++) {
      const ms = tick();
      const workspaceId = id(idPrefixes.workspace, ms);
      workspaceIds[i] = workspaceId;
      const name = `Workspace ${String(i + 1).padStart(5, "0")}`;
      const description = i % 3 === 0 ? null : `Team ${i + 1} of the scale data set`;
      workspaceRows.push([workspaceId, accountId, name, foldCase(name), description, stamp(ms), stamp(ms), null, 1]);
    }
    bulkInsert(
      sqlite,
      "workspaces",
      ["id", "account_id", "name", "name_key", "description", "created_at", "updated_at", "archived_at", "version"],
      workspaceRows,
    );

    const memberRows: unknown[][] = [];
    for (let i = 0; i < members; i++) {
      const ms = tick();
      const actorId = id(idPrefixes.actor, ms);
      if (i === 19_979) memberBeforePage1000 = actorId;
      memberRows.push([actorId, accountId, workspaceIds[0], profileIds[i], stamp(ms), null]);
    }
    bulkInsert(
      sqlite,
      "workspace_members",
      ["id", "account_id", "workspace_id", "profile_id", "added_at", "removed_at"],
      memberRows,
    );
    phase("rows written");
    for (const item of deferred.filter((entry) => entry.type === "index")) sqlite.exec(item.sql);
    phase("indexes built");
    sqlite.exec(PROFILE_SEARCH_BACKFILL);
    for (const item of deferred.filter((entry) => entry.type === "trigger")) sqlite.exec(item.sql);
    phase("search index built");
  })();
  sqlite.pragma("optimize");
  sqlite.exec("ANALYZE");
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();

  const manifest: DatasetManifest = {
    profiles,
    workspaces,
    members,
    accountId,
    bigWorkspaceId: workspaceIds[0]!,
    emptyWorkspaceIds: workspaceIds.slice(1, 4),
    firstProfileId: profileIds[0]!,
    memberBeforePage1000,
    generatedInMs: Math.round(performance.now() - started),
  };
  writeFileSync(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(
    `Generated ${profiles} profiles, ${workspaces} workspaces, ${members} members in ${(manifest.generatedInMs / 1000).toFixed(1)} s\n` +
      `  ${BENCH_DB_FILE}\n  (bench dir: ${BENCH_DIR})\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
