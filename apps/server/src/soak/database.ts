import { randomBytes } from "node:crypto";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";

/**
 * The soak's own connection to the server's database, beside the server's: to check afterwards that the
 * rows themselves equal the model (not only what the API answers about them).
 */
export interface DirectDatabase {
  dialect: "sqlite" | "postgres";
  /** `?` placeholders on both dialects. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openDirectDatabase(url: string): Promise<DirectDatabase> {
  if (url.startsWith("sqlite:")) {
    const sqlite = new BetterSqlite3(url.slice("sqlite:".length).replace(/^\/\//, ""), { readonly: true, fileMustExist: true });
    return {
      dialect: "sqlite",
      query: async <T>(sql: string, params: unknown[] = []) => sqlite.prepare(sql).all(...params) as T[],
      close: async () => void sqlite.close(),
    };
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  return {
    dialect: "postgres",
    query: async <T>(sql: string, params: unknown[] = []) => {
      let n = 0;
      const result = await client.query(sql.replace(/\?/g, () => `$${++n}`), params);
      return result.rows as T[];
    },
    close: () => client.end(),
  };
}

/**
 * A fresh schema in the PostgreSQL database `url` names, so that a soak never meets rows of another run:
 * the server reaches it through the URL's `options=-c search_path=...`. Dropped by `drop`.
 */
export async function createPostgresSchema(url: string): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const schema = `soak_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE SCHEMA "${schema}"`);
  const scoped = new URL(url);
  scoped.searchParams.set("options", `-c search_path=${schema}`);
  return { url: scoped.toString(), schema, drop: () => admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`) };
}
