import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DataSource } from "typeorm";
import type { DatabaseConfig } from "../config.ts";
import { entities } from "./entities.ts";
import { postgresMigrations } from "./migrations/postgres/index.ts";
import { sqliteMigrations } from "./migrations/sqlite/index.ts";

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
  return new DataSource({
    type: "postgres",
    url: config.url,
    entities,
    migrations: postgresMigrations,
    migrationsTransactionMode: "all",
    synchronize: false,
    poolSize: config.poolSize,
    extra: { statement_timeout: config.statementTimeoutMs || undefined, connectionTimeoutMillis: 5000 },
  });
}
