import { invalid } from "./errors.ts";

/**
 * Keyset pagination. Every list is ordered by its rows' ids, which are ULIDs and so sort by creation
 * time: rows added during a walk land after the cursor and each existing row is seen exactly once.
 * The cursor is opaque to clients: base64url of "v1:" and the last id of the page.
 */
const CURSOR_PREFIX = "v1:";

export function encodeCursor(lastId: string): string {
  return Buffer.from(CURSOR_PREFIX + lastId, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | undefined, idPrefix: string): string | undefined {
  if (cursor === undefined) return undefined;
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const lastId = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : "";
  if (!new RegExp(`^${idPrefix}_[0-9A-HJKMNP-TV-Z]{26}$`).test(lastId)) throw invalid("Malformed cursor");
  return lastId;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

/** Rows were fetched with `limit + 1`: the extra row only says whether another page exists. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, shape: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(shape),
    hasMore,
    nextCursor: hasMore && last ? encodeCursor(last.id) : null,
  };
}
