import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Substring search over profiles without a scan: an FTS5 index of trigrams over the folded
 * `search_key` (see db/text-keys.ts). The key is already folded by the application, so the tokenizer
 * is case-sensitive and must not fold again. `detail=none` keeps the index small; a GLOB on the
 * index finds candidates by their trigrams and re-checks them against the stored text.
 *
 * The FTS row shares the profile's rowid so that the triggers find it; queries join on `profile_id`
 * and re-check the match on `profiles`, so the index can only narrow candidates, never decide them.
 * (SQLite's VACUUM may renumber rowids of tables without an INTEGER PRIMARY KEY: after a VACUUM, rebuild
 * this table with the backfill statement below.)
 */
/** Fills the index from `profiles` (the migration's backfill; also the rebuild after a VACUUM or a bulk load). */
export const PROFILE_SEARCH_BACKFILL =
  "INSERT INTO profile_search (rowid, search_key, profile_id) SELECT rowid, search_key, id FROM profiles";

export class ProfileSearchTrigramSqlite1796324650000 implements MigrationInterface {
  name = "ProfileSearchTrigramSqlite1796324650000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE VIRTUAL TABLE profile_search USING fts5(
      search_key, profile_id UNINDEXED, tokenize = 'trigram case_sensitive 1', detail = 'none', columnsize = 0
    )`);
    await runner.query(PROFILE_SEARCH_BACKFILL);
    await runner.query(`CREATE TRIGGER tr_profiles_search_insert AFTER INSERT ON profiles BEGIN
      INSERT INTO profile_search (rowid, search_key, profile_id) VALUES (new.rowid, new.search_key, new.id);
    END`);
    await runner.query(`CREATE TRIGGER tr_profiles_search_update AFTER UPDATE OF search_key ON profiles BEGIN
      DELETE FROM profile_search WHERE rowid = old.rowid;
      INSERT INTO profile_search (rowid, search_key, profile_id) VALUES (new.rowid, new.search_key, new.id);
    END`);
    await runner.query(`CREATE TRIGGER tr_profiles_search_delete AFTER DELETE ON profiles BEGIN
      DELETE FROM profile_search WHERE rowid = old.rowid;
    END`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER tr_profiles_search_delete`);
    await runner.query(`DROP TRIGGER tr_profiles_search_update`);
    await runner.query(`DROP TRIGGER tr_profiles_search_insert`);
    await runner.query(`DROP TABLE profile_search`);
  }
}
