import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DataSource } from "typeorm";
import type { DatabaseConfig } from "../config.ts";
import { entities } from "./entities.ts";
import { postgresMigrations } from "./migrations/postgres/index.ts";
import { sqliteMigrations } from "./migrations/sqlite/index.ts";

const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;

/** Builds (does not open) the TypeORM data source for the configured dialect. Never `synchronize`. */
export function createDataSource(config: DatabaseConfig): DataSource {
  if (config.dialect === "sqlite") {
    if (config.file !== ":memory:") mkdirSync(dirname(config.file), { recursive: true });
    return new DataSource({
      type: "better-sqlite3",
      database: config.file,
      entities,
      migrations: sqliteMigrations,
      migrationsTransactionMode: "all",
      synchronize: false,
      enableWAL: true,
      // Wait for another process's write lock (a CLI seeding beside the server) instead of failing.
      timeout: 5000,
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma("foreign_keys = ON");
        db.pragma("synchronous = NORMAL");
      },
    });
  }
  // Everything about the connection (host, database, user, password, SSL via `sslmode=` or `ssl=true`,
  // `options=-c search_path=...`) comes from the URL, which node-postgres parses; the URL wins over the
  // options below.
  return new DataSource({
    type: "postgres",
    url: config.url,
    entities,
    migrations: postgresMigrations,
    migrationsTransactionMode: "all",
    synchronize: false,
    poolSize: config.poolSize,
    applicationName: "workspace-admin",
    connectTimeoutMS: POSTGRES_CONNECT_TIMEOUT_MS,
    // No extension is needed; skipping the check saves a round trip per start.
    installExtensions: false,
    extra: {
      // 0 = no limit. Sent at connect time, so it holds for every statement on every pooled connection.
      statement_timeout: config.statementTimeoutMs || undefined,
      // A transaction left open by a crashed request must not hold its locks forever.
      idle_in_transaction_session_timeout: 60_000,
      // Dead peers behind a load balancer or NAT are noticed instead of hanging a request.
      keepAlive: true,
    },
  });
}
