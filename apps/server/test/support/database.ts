import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { inject } from "vitest";

/**
 * Which database the test servers use. `npm test` runs on SQLite; `npm run test:pg` sets
 * TEST_DATABASE=postgres and runs the same suites on the PostgreSQL named by DATABASE_URL.
 */
export type TestDialect = "sqlite" | "postgres";
export const testDialect: TestDialect = process.env.TEST_DATABASE === "postgres" ? "postgres" : "sqlite";

export const DEFAULT_POSTGRES_TEST_URL = "postgres://postgres@127.0.0.1:5432/test";
export const postgresTestUrl = process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : DEFAULT_POSTGRES_TEST_URL;

/** A database of one's own: a file on SQLite, a fresh schema on PostgreSQL. */
export interface TestDatabase {
  dialect: TestDialect;
  /** The DATABASE_URL a server (in this process or another) should use. */
  url: string;
  /** PostgreSQL only: the schema holding this database's tables. */
  schema?: string;
  /** Runs SQL with a connection of its own (not the server's): for checking invariants afterwards. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** One id per test run (see global-setup.ts): the prefix of its PostgreSQL schemas. */
    testRunId: string;
  }
}

/**
 * `keep`: the database belongs to `dataDir` and outlives a server (a restart test starts a second server
 * on the same directory): the same directory gives the same schema, and `drop` is left to the end of the
 * run (see global-setup.ts), like the directory itself is left to the caller.
 */
export async function createTestDatabase(
  dataDir: string,
  dialect: TestDialect = testDialect,
  options: { keep?: boolean } = {},
): Promise<TestDatabase> {
  return dialect === "postgres" ? createPostgresSchema(dataDir, options.keep ?? false) : createSqliteFile(dataDir);
}

/** Names every schema of one test run alike, so the run's teardown can drop whatever a test left behind. */
function runPrefix(): string {
  let runId: string | undefined;
  try {
    runId = inject("testRunId");
  } catch {
    // outside a vitest worker
  }
  return `wa_test_${runId ?? `p${process.pid}`}_`;
}

/** Drops every schema of the run (at its end): the kept ones and any a crashed test left. */
export async function dropRunSchemas(runId: string): Promise<void> {
  await withClient(postgresTestUrl, async (client) => {
    const { rows } = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", [
      `wa_test_${runId}_%`,
    ]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  });
}

async function createSqliteFile(dataDir: string): Promise<TestDatabase> {
  const file = join(dataDir, "workspace-admin.sqlite");
  const { default: Sqlite } = await import("better-sqlite3");
  return {
    dialect: "sqlite",
    url: `sqlite:${file}`,
    query: async <T>(sql: string, params: unknown[] = []) => {
      const db = new Sqlite(file, { readonly: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
    drop: async () => undefined,
  };
}

/**
 * A new schema in the test database, named uniquely, so that parallel test files, parallel runs and
 * several server processes of one test never see each other's rows. Servers reach it through the URL's
 * `options=-c search_path=...`, the same way a user would point the server at a non-default schema.
 */
async function createPostgresSchema(dataDir: string, keep: boolean): Promise<TestDatabase> {
  await ensureTestDatabaseExists();
  const suffix = keep ? createHash("sha256").update(dataDir).digest("hex").slice(0, 12) : randomBytes(6).toString("hex");
  const schema = `${runPrefix()}${suffix}`;
  await withClient(postgresTestUrl, (client) => client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
  const url = new URL(postgresTestUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    dialect: "postgres",
    url: url.toString(),
    schema,
    query: (sql, params) => withClient(url.toString(), async (client) => (await client.query(sql, params)).rows),
    drop: () => withClient(postgresTestUrl, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

let databaseReady: Promise<void> | undefined;

/** The database named in the URL is created on first use (a fresh PostgreSQL has only `postgres`). */
function ensureTestDatabaseExists(): Promise<void> {
  databaseReady ??= (async () => {
    try {
      await withClient(postgresTestUrl, (client) => client.query("SELECT 1"));
    } catch (error) {
      if ((error as { code?: string }).code !== "3D000") throw error;
      const name = decodeURIComponent(new URL(postgresTestUrl).pathname.slice(1));
      const maintenance = new URL(postgresTestUrl);
      maintenance.pathname = "/postgres";
      await withClient(maintenance.toString(), (client) => client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`)).catch(
        (createError: { code?: string }) => {
          // Another test worker created it first.
          if (createError.code !== "42P04" && createError.code !== "23505") throw createError;
        },
      );
    }
  })();
  return databaseReady;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
