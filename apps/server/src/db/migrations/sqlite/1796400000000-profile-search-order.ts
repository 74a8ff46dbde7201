import type { MigrationInterface, QueryRunner } from "typeorm";
import { PROFILE_SEARCH_BACKFILL } from "./1796324650000-profile-search-trigram.ts";

/**
 * Lets the trigram index answer a page in id order without collecting every match: when the profiles'
 * rowids run in the same order as their ids, the index (whose rows share the profiles' rowids) can be
 * read in rowid order and stop at the page's last match (see db/profile-search-sqlite.ts).
 *
 * Ids are time-ordered ULIDs, generated monotonically by the process that inserts them, and each new
 * profile gets the next rowid, so the two orders agree unless two processes insert into one SQLite file
 * within one millisecond. `profile_search_state.rowid_ordered` says whether they still agree: a trigger
 * clears it the moment a profile arrives whose id or rowid is not the largest; the search then uses its
 * order-independent query. This migration renumbers existing rows into id order when needed (rowids are
 * internal: every reference to a profile is by id) and rebuilds the index on the new rowids.
 */
export const PROFILES_ROWID_INVERSIONS =
  "SELECT COUNT(*) AS n FROM (SELECT id, LAG(id) OVER (ORDER BY rowid) AS previous FROM profiles) WHERE previous > id";

/**
 * Whether some profile's id is smaller than that of a profile with a smaller rowid. Read in chunks in
 * rowid order, so that a table of millions costs about a second and no memory (a window function over
 * the whole table would buffer it).
 */
async function rowidsFollowIds(runner: QueryRunner): Promise<boolean> {
  let lastRowid = Number.MIN_SAFE_INTEGER;
  let lastId = "";
  for (;;) {
    const rows = (await runner.query("SELECT rowid AS r, id FROM profiles WHERE rowid > ? ORDER BY rowid LIMIT 10000", [
      lastRowid,
    ])) as { r: number; id: string }[];
    for (const row of rows) {
      if (row.id < lastId) return false;
      lastId = row.id;
    }
    if (rows.length < 10_000) return true;
    lastRowid = rows.at(-1)!.r;
  }
}

export class ProfileSearchOrderSqlite1796400000000 implements MigrationInterface {
  name = "ProfileSearchOrderSqlite1796400000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE profile_search_state (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      rowid_ordered INTEGER NOT NULL
    )`);
    await runner.query("INSERT INTO profile_search_state (id, rowid_ordered) VALUES (1, 1)");
    if (!(await rowidsFollowIds(runner))) {
      await runner.query("CREATE TEMP TABLE profile_order AS SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM profiles");
      await runner.query("CREATE UNIQUE INDEX temp.ix_profile_order ON profile_order (id)");
      // Out of the way first (negative rowids are valid), so that no two rows ever share one.
      await runner.query("UPDATE profiles SET rowid = -rowid");
      await runner.query("UPDATE profiles SET rowid = (SELECT n FROM profile_order o WHERE o.id = profiles.id)");
      await runner.query("DROP TABLE temp.profile_order");
      await runner.query("DELETE FROM profile_search");
      await runner.query(PROFILE_SEARCH_BACKFILL);
    }
    await runner.query(`CREATE TRIGGER tr_profiles_search_order AFTER INSERT ON profiles
      WHEN new.id < (SELECT MAX(id) FROM profiles) OR new.rowid < (SELECT MAX(rowid) FROM profiles)
      BEGIN
        UPDATE profile_search_state SET rowid_ordered = 0 WHERE id = 1;
      END`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query("DROP TRIGGER tr_profiles_search_order");
    await runner.query("DROP TABLE profile_search_state");
  }
}
