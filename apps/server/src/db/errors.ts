/**
 * Database errors that are not the caller's fault and not a bug: the database is down, unreachable,
 * restarting, out of connections, or gave up on a statement. They become a 503 with a generic message
 * (never SQL, never a driver message), so a load balancer and clients know to retry.
 */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  constructor(message = "The database is not reachable", options?: { cause?: unknown }) {
    super(message, options);
  }
}

// Node socket errors seen when PostgreSQL is stopped, restarting or behind a dropped network path.
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
]);

// PostgreSQL SQLSTATEs: 08xxx connection exceptions, shutdown/crash/startup, too many connections,
// statement timeout (57014, set by DATABASE_STATEMENT_TIMEOUT_MS), lock timeout.
const POSTGRES_UNAVAILABLE = new Set(["57P01", "57P02", "57P03", "53300", "57014", "55P03"]);

// SQLite: another process held the write lock past the busy timeout.
const SQLITE_UNAVAILABLE = new Set(["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_TIMEOUT"]);

// node-postgres reports a dropped or timed-out connection with a plain Error and no code.
const PG_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable/,
  /^The server does not support SSL connections/,
];

/** True when the error (or anything in its `driverError`/`cause` chain) says the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof DatabaseUnavailableError) return true;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string") {
      if (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.has(code) || SQLITE_UNAVAILABLE.has(code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    if (typeof message === "string" && PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return true;
    const next = (current as { driverError?: unknown; cause?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
    current = next;
  }
  return false;
}

/**
 * PostgreSQL gave up on a transaction to resolve a conflict (serialization failure, deadlock): running
 * the whole unit again is correct and usually succeeds.
 */
export function isRetryableTransactionError(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string } } | null)?.driverError ?? error;
  const code = (driverError as { code?: unknown } | null)?.code;
  return code === "40001" || code === "40P01";
}
