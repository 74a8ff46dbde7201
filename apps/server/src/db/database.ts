import type { DataSource, EntityManager, QueryRunner } from "typeorm";
import type { DatabaseConfig } from "../config.ts";
import { createDataSource } from "./data-source.ts";

export type Dialect = DatabaseConfig["dialect"];

/**
 * The one door to the database. Services run their work as a `read` or a `write` unit.
 *
 * SQLite: better-sqlite3 gives TypeORM a single shared connection, so two requests' transactions would
 * interleave on it. Every unit therefore runs alone, one after another, behind an in-process queue;
 * writes use BEGIN IMMEDIATE so that another process (a CLI beside the server) makes us wait on the
 * busy timeout instead of failing with SQLITE_BUSY when a read would upgrade to a write.
 *
 * PostgreSQL: the pool gives each unit its own connection; writes run in a READ COMMITTED transaction
 * and rely on row locks and unique indexes to decide races.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dataSource: DataSource,
    readonly dialect: Dialect,
  ) {}

  static async open(config: DatabaseConfig, options: { migrate?: boolean } = {}): Promise<Database> {
    const dataSource = createDataSource(config);
    await dataSource.initialize();
    const db = new Database(dataSource, config.dialect);
    if (options.migrate !== false) await db.migrate();
    return db;
  }

  async migrate(): Promise<void> {
    await this.exclusive(() => this.dataSource.runMigrations({ transaction: "all" }));
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    });
  }

  /** A read-only unit. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect === "sqlite") return this.exclusive(() => work(this.dataSource.manager));
    return work(this.dataSource.manager);
  }

  /** A unit that writes: all of it commits, or none of it does. */
  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect === "sqlite") {
      return this.exclusive(() => this.inTransaction("BEGIN IMMEDIATE", work));
    }
    return this.inTransaction("BEGIN ISOLATION LEVEL READ COMMITTED", work);
  }

  /** SELECT 1: is the database reachable right now. */
  async ping(): Promise<boolean> {
    try {
      await this.read((manager) => manager.query("SELECT 1"));
      return true;
    } catch {
      return false;
    }
  }

  private async inTransaction<T>(begin: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      // Issued by hand so SQLite can take the write lock up front; TypeORM is told a transaction is open
      // so that nothing inside tries to begin its own.
      await runner.query(begin);
      (runner as { isTransactionActive: boolean }).isTransactionActive = true;
      let result: T;
      try {
        result = await work(runner.manager);
      } catch (error) {
        await runner.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
      await runner.query("COMMIT");
      return result;
    } finally {
      (runner as { isTransactionActive: boolean }).isTransactionActive = false;
      await runner.release();
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** True when the error is a unique-index violation, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string } } | null)?.driverError ?? error;
  const code = (driverError as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
