import { type DataSource, type EntityManager, MigrationExecutor, type QueryRunner } from "typeorm";
import type { DatabaseConfig } from "../config.ts";
import { createDataSource } from "./data-source.ts";
import { DatabaseUnavailableError, isRetryableTransactionError } from "./errors.ts";

export type Dialect = DatabaseConfig["dialect"];

/** What `/readyz` reports: `up` once connected and migrated, `down` until then or while unreachable. */
export type DatabaseState = "up" | "down";

export interface StartOptions {
  /** Told when the first connection attempt fails (with the error), and when the database is up. */
  onStateChange?: (state: DatabaseState, error?: unknown) => void;
  /** First and largest pause between connection attempts while the database is unreachable. */
  retryDelayMs?: { min: number; max: number };
}

// A PostgreSQL write unit that lost a deadlock or serialization conflict runs again, this many times in all.
const WRITE_ATTEMPTS = 3;

/**
 * The one door to the database. Services run their work as a `read` or a `write` unit.
 *
 * SQLite: better-sqlite3 gives TypeORM a single shared connection, so two requests' transactions would
 * interleave on it. Every unit therefore runs alone, one after another, behind an in-process queue;
 * writes use BEGIN IMMEDIATE so that another process (a CLI beside the server) makes us wait on the
 * busy timeout instead of failing with SQLITE_BUSY when a read would upgrade to a write.
 *
 * PostgreSQL: the pool gives each unit its own connection; writes run in a READ COMMITTED transaction
 * and rely on row locks and unique indexes to decide races, so any number of server processes can
 * share one database. A server started with `Database.start` does not need PostgreSQL to be up: it
 * keeps trying in the background, runs the migrations once connected, and until then every unit
 * fails with `DatabaseUnavailableError` (a 503).
 */
/** What `select` needs of better-sqlite3's connection. */
interface SqliteConnection {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
}

export class Database {
  private queue: Promise<unknown> = Promise.resolve();
  /** Prepared statements of `select`, by SQL, for the data source they were prepared on. */
  private readonly statements = new Map<string, { source: DataSource; prepared: ReturnType<SqliteConnection["prepare"]> }>();
  private source: DataSource | undefined;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  private closed = false;
  private lastAttemptAt = 0;
  private reported: DatabaseState | undefined;

  private constructor(
    private readonly config: DatabaseConfig,
    private readonly options: StartOptions & { migrate: boolean },
  ) {
    this.retryDelayMs = options.retryDelayMs?.min ?? 250;
  }

  get dialect(): Dialect {
    return this.config.dialect;
  }

  /** The open data source; throws `DatabaseUnavailableError` while the database is not (yet) reachable. */
  get dataSource(): DataSource {
    if (!this.source) {
      this.retrySoon();
      throw new DatabaseUnavailableError();
    }
    return this.source;
  }

  get state(): DatabaseState {
    return this.source ? "up" : "down";
  }

  /** Connects now (and migrates unless told not to); fails if the database cannot be reached. For CLIs and tests. */
  static async open(config: DatabaseConfig, options: { migrate?: boolean } = {}): Promise<Database> {
    const db = new Database(config, { migrate: options.migrate !== false });
    await db.connect();
    return db;
  }

  /**
   * For the server. SQLite opens at once (a broken file is a start-up error). PostgreSQL gets one
   * attempt now; if it is unreachable the server starts anyway and the attempts continue in the
   * background, with a growing pause, until it answers.
   */
  static async start(config: DatabaseConfig, options: StartOptions = {}): Promise<Database> {
    const db = new Database(config, { ...options, migrate: true });
    if (config.dialect === "sqlite") {
      await db.connect();
      return db;
    }
    await db.tryConnect();
    return db;
  }

  /** Applies pending migrations, in one transaction, with every other migrating process kept out. */
  async migrate(): Promise<string[]> {
    return this.migrateOn(this.dataSource);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    await this.exclusive(async () => {
      const source = this.source;
      this.source = undefined;
      if (source?.isInitialized) await source.destroy();
    });
  }

  /** A read-only unit. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect === "sqlite") return this.exclusive(() => work(this.dataSource.manager));
    return Promise.resolve().then(() => work(this.dataSource.manager));
  }

  /**
   * One read statement with `?` placeholders, outside the query builder: the hot reads' way in (the
   * builder costs more than the query itself, see BENCHMARKS.md). On SQLite the statement is prepared
   * once and runs in the same queue as every other unit; on PostgreSQL it runs on the pool.
   */
  select<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    if (this.dialect === "sqlite") {
      return this.exclusive(async () => {
        const source = this.dataSource;
        let statement = this.statements.get(sql);
        if (!statement || statement.source !== source) {
          const connection = (source.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
          statement = { source, prepared: connection.prepare(sql) };
          this.statements.set(sql, statement);
        }
        return statement.prepared.all(...params) as T[];
      });
    }
    let n = 0;
    return Promise.resolve().then(() => this.dataSource.manager.query(sql.replace(/\?/g, () => `$${++n}`), [...params]));
  }

  /** A unit that writes: all of it commits, or none of it does. */
  async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect === "sqlite") {
      return this.exclusive(() => this.inTransaction(this.dataSource, "BEGIN IMMEDIATE", work));
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.inTransaction(this.dataSource, "BEGIN ISOLATION LEVEL READ COMMITTED", work);
      } catch (error) {
        if (attempt >= WRITE_ATTEMPTS || !isRetryableTransactionError(error)) throw error;
      }
    }
  }

  /** SELECT 1: is the database reachable right now. */
  async ping(): Promise<boolean> {
    if (!this.source) {
      this.retrySoon();
      return false;
    }
    try {
      await this.read((manager) => manager.query("SELECT 1"));
      return true;
    } catch {
      return false;
    }
  }

  private async connect(): Promise<void> {
    const source = createDataSource(this.config);
    try {
      await source.initialize();
      if (this.options.migrate) await this.migrateOn(source);
    } catch (error) {
      if (source.isInitialized) await source.destroy().catch(() => undefined);
      throw error;
    }
    this.source = source;
  }

  /** One attempt; on failure the next one is scheduled. Never throws. */
  private tryConnect(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.lastAttemptAt = Date.now();
    this.connecting ??= this.connect()
      .then(
        () => {
          this.retryDelayMs = this.options.retryDelayMs?.min ?? 250;
          this.report("up");
        },
        (error: unknown) => {
          this.report("down", error);
          this.scheduleRetry(this.retryDelayMs);
          this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.retryDelayMs?.max ?? 5_000);
        },
      )
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /** Tells `onStateChange` about changes only: a database down for an hour is one log line, not thousands. */
  private report(state: DatabaseState, error?: unknown): void {
    if (state === this.reported) return;
    this.reported = state;
    this.options.onStateChange?.(state, error);
  }

  private scheduleRetry(delayMs: number): void {
    if (this.closed || this.source) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.tryConnect(), delayMs);
    this.retryTimer.unref();
  }

  /**
   * A request arrived while the database is down: try again now rather than at the end of the pause,
   * but not more often than the shortest pause however many requests arrive.
   */
  private retrySoon(): void {
    if (this.closed || this.connecting || this.config.dialect === "sqlite") return;
    const minDelay = this.options.retryDelayMs?.min ?? 250;
    if (Date.now() - this.lastAttemptAt >= minDelay) this.scheduleRetry(0);
  }

  private async migrateOn(source: DataSource): Promise<string[]> {
    const run = () =>
      this.inTransaction(source, this.dialect === "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN", async (manager) => {
        // Several servers may start at once on one PostgreSQL database: the first to take this lock
        // migrates, the others wait for it and then find nothing pending. (SQLite: BEGIN IMMEDIATE.)
        if (this.dialect === "postgres") {
          // A migration (or the wait for another process's) may outlast DATABASE_STATEMENT_TIMEOUT_MS.
          await manager.query("SET LOCAL statement_timeout = 0");
          await manager.query("SELECT pg_advisory_xact_lock(hashtext('workspace-admin:migrations:' || current_schema()))");
        }
        const executor = new MigrationExecutor(source, manager.queryRunner as QueryRunner);
        executor.transaction = "all";
        const applied = await executor.executePendingMigrations();
        return applied.map((migration) => migration.name);
      });
    return this.dialect === "sqlite" ? this.exclusive(run) : run();
  }

  private async inTransaction<T>(
    source: DataSource,
    begin: string,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    const runner: QueryRunner = source.createQueryRunner();
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

