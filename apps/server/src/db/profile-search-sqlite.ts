import { escapeLike } from "./text-keys.ts";

/**
 * Substring search over profiles on SQLite, in at most two indexed queries, both ordered by id (the
 * order of every list), leaving out profiles removed by directory sync, and re-checking the exact match
 * with LIKE on `profiles.search_key` (the same conditions as the generic query in services/profiles.ts):
 *
 * 1. A bounded window: the next WINDOW_ROWS profiles of the account after the cursor, filtered. A common
 *    term fills the page from this window at once, which the trigram index could not do cheaply (it
 *    would have to collect and sort every one of its many matches).
 * 2. Otherwise the trigram index (migration ProfileSearchTrigram). While the profiles' rowids run in id
 *    order (migration ProfileSearchOrder keeps `profile_search_state.rowid_ordered`), the index is read
 *    in rowid order, which is id order, from the cursor on, and stops at the page's last match: a term
 *    with thousands of matches costs what its first page costs. Otherwise every candidate is collected,
 *    joined to `profiles` by id, filtered and sorted; a rare term has few candidates, so this is cheap
 *    exactly when the window was not enough. (A term that fills fewer than a page in WINDOW_ROWS rows
 *    matches less than about 1 in WINDOW_ROWS / (limit + 1) profiles.)
 *
 * Terms shorter than three characters (after folding) have no trigram: they use the window query
 * without its bound, an id-ordered scan of the account that stops at the page's last match.
 */
export const WINDOW_ROWS = 2000;

const COLUMNS = `p.id AS "id", p.account_id AS "accountId", p.workos_user_id AS "workosUserId", p.email AS "email",
  p.email_key AS "emailKey", p.name AS "name", p.search_key AS "searchKey", p.created_at AS "createdAt",
  p.updated_at AS "updatedAt"`;

/** Params: accountId, after ('' for the first page), window size (-1: unbounded), LIKE pattern, limit. */
export const SEARCH_WINDOW_SQL = `SELECT ${COLUMNS}
  FROM (SELECT * FROM profiles WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?) p
  WHERE p.removed_at IS NULL AND p.search_key LIKE ? ESCAPE '\\' ORDER BY p.id LIMIT ?`;

/** Params: GLOB pattern, accountId, after, LIKE pattern, limit. CROSS JOIN: drive from the index. */
export const SEARCH_TRIGRAM_SQL = `SELECT ${COLUMNS}
  FROM profile_search s CROSS JOIN profiles p ON p.id = s.profile_id
  WHERE s.search_key GLOB ? AND p.account_id = ? AND p.id > ? AND p.removed_at IS NULL
  AND p.search_key LIKE ? ESCAPE '\\' ORDER BY p.id LIMIT ?`;

/**
 * Params: GLOB pattern, after (for the rowid bound), accountId, after, LIKE pattern, limit. The rowid
 * bound starts the index at the cursor; `p.id > ?` keeps the answer exact for any cursor.
 */
export const SEARCH_TRIGRAM_IN_ROWID_ORDER_SQL = `SELECT ${COLUMNS}
  FROM profile_search s CROSS JOIN profiles p ON p.rowid = s.rowid
  WHERE s.search_key GLOB ?
  AND s.rowid > COALESCE((SELECT rowid FROM profiles WHERE id <= ? ORDER BY id DESC LIMIT 1), 0)
  AND p.account_id = ? AND p.id > ? AND p.removed_at IS NULL AND p.search_key LIKE ? ESCAPE '\\'
  ORDER BY s.rowid LIMIT ?`;

export const ROWID_ORDERED_SQL = `SELECT rowid_ordered AS "ordered" FROM profile_search_state WHERE id = 1`;

export interface SubstringSearch {
  accountId: string;
  /** The folded term. */
  term: string;
  after: string | undefined;
  /** Rows wanted (the page size plus one). */
  rows: number;
}

export type RunSql<R> = (sql: string, params: unknown[]) => Promise<R[]> | R[];

export async function findProfilesBySubstring<R>(run: RunSql<R>, search: SubstringSearch): Promise<R[]> {
  const like = `%${escapeLike(search.term)}%`;
  const after = search.after ?? "";
  const usesTrigrams = [...search.term].length >= 3;
  const window = usesTrigrams ? WINDOW_ROWS : -1;
  const found = await run(SEARCH_WINDOW_SQL, [search.accountId, after, window, like, search.rows]);
  if (found.length >= search.rows || !usesTrigrams) return found;
  const glob = `*${escapeGlob(search.term)}*`;
  const [state] = (await run(ROWID_ORDERED_SQL, [])) as unknown as [{ ordered: number } | undefined];
  if (state?.ordered === 1) {
    return run(SEARCH_TRIGRAM_IN_ROWID_ORDER_SQL, [glob, after, search.accountId, after, like, search.rows]);
  }
  return run(SEARCH_TRIGRAM_SQL, [glob, search.accountId, after, like, search.rows]);
}

/** GLOB has no ESCAPE: a special character is matched literally as a one-character class. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]]/g, (c) => `[${c}]`);
}
