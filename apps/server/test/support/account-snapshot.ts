import pg from "pg";
import type { TestDatabase } from "./database.ts";

/**
 * Everything a request could change, read straight from the database (with a connection of its own):
 * every row of the given accounts, in every account-scoped table, in a stable order, plus the number of
 * rows of every table, so that a row written anywhere else (a new account, a profile of another
 * account, a directory row) shows too. Two snapshots are equal exactly when nothing changed.
 */
export interface AccountSnapshot {
  rows: Record<AccountTable, unknown[]>;
  counts: Record<CountedTable, number>;
}

type AccountTable = "accounts" | "profiles" | "workspaces" | "workspace_members" | "audit_events" | "idempotency_keys";
type CountedTable = Exclude<AccountTable, "idempotency_keys"> | "directory_users" | "directory_sync_state" | "directory_sync_events";

/** The tables holding an account's rows: how each is filtered by account and ordered. */
const ACCOUNT_TABLES: Record<AccountTable, { accountColumn: string; orderBy: string }> = {
  accounts: { accountColumn: "id", orderBy: "id" },
  profiles: { accountColumn: "account_id", orderBy: "id" },
  workspaces: { accountColumn: "account_id", orderBy: "id" },
  workspace_members: { accountColumn: "account_id", orderBy: "id" },
  audit_events: { accountColumn: "account_id", orderBy: "id" },
  idempotency_keys: { accountColumn: "account_id", orderBy: "account_id, idempotency_key" },
};

// Idempotency keys are counted through the accounts' rows only: a key of an account not snapshotted is
// no concern of these accounts.
const COUNTED_TABLES: CountedTable[] = [
  "accounts",
  "profiles",
  "workspaces",
  "workspace_members",
  "audit_events",
  "directory_users",
  "directory_sync_state",
  "directory_sync_events",
];

/**
 * Takes snapshots of the given accounts. On PostgreSQL it holds one connection of its own for all of
 * them (a connection per snapshot costs more than the request it surrounds); close it at the end.
 */
export class AccountSnapshots {
  private constructor(
    private readonly database: TestDatabase,
    private readonly client: pg.Client | undefined,
  ) {}

  static async open(database: TestDatabase): Promise<AccountSnapshots> {
    if (database.dialect !== "postgres") return new AccountSnapshots(database, undefined);
    const client = new pg.Client({ connectionString: database.url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    return new AccountSnapshots(database, client);
  }

  take(accountIds: readonly string[]): Promise<AccountSnapshot> {
    if (accountIds.length === 0) throw new Error("a snapshot needs at least one account id");
    return this.client ? snapshotPostgres(this.client, accountIds) : snapshotSqlite(this.database, accountIds);
  }

  async close(): Promise<void> {
    await this.client?.end();
  }
}

/** One statement: the rows as JSON arrays, the counts as numbers. */
async function snapshotPostgres(client: pg.Client, accountIds: readonly string[]): Promise<AccountSnapshot> {
  const rows = Object.entries(ACCOUNT_TABLES).map(
    ([table, { accountColumn, orderBy }]) =>
      `'${table}', (SELECT coalesce(json_agg(t ORDER BY ${orderBy.replaceAll(/(\w+)/g, "t.$1")}), '[]'::json) ` +
      `FROM ${table} t WHERE t.${accountColumn} = ANY($1))`,
  );
  const counts = COUNTED_TABLES.map((table) => `'${table}', (SELECT count(*) FROM ${table})`);
  const { rows: result } = await client.query<{ snapshot: { rows: AccountSnapshot["rows"]; counts: Record<CountedTable, string | number> } }>(
    `SELECT json_build_object('rows', json_build_object(${rows.join(", ")}), 'counts', json_build_object(${counts.join(", ")})) AS snapshot`,
    [accountIds],
  );
  const snapshot = result[0]!.snapshot;
  return { rows: snapshot.rows, counts: numbers(snapshot.counts) };
}

async function snapshotSqlite(database: TestDatabase, accountIds: readonly string[]): Promise<AccountSnapshot> {
  const placeholders = accountIds.map(() => "?").join(", ");
  const rows = {} as AccountSnapshot["rows"];
  for (const [table, { accountColumn, orderBy }] of Object.entries(ACCOUNT_TABLES) as [AccountTable, (typeof ACCOUNT_TABLES)[AccountTable]][]) {
    rows[table] = await database.query(`SELECT * FROM ${table} WHERE ${accountColumn} IN (${placeholders}) ORDER BY ${orderBy}`, [
      ...accountIds,
    ]);
  }
  const [countRow] = await database.query<Record<CountedTable, number>>(
    `SELECT ${COUNTED_TABLES.map((table) => `(SELECT count(*) FROM ${table}) AS ${table}`).join(", ")}`,
  );
  return { rows, counts: numbers(countRow!) };
}

function numbers(counts: Record<CountedTable, string | number>): Record<CountedTable, number> {
  return Object.fromEntries(Object.entries(counts).map(([table, count]) => [table, Number(count)])) as Record<CountedTable, number>;
}
