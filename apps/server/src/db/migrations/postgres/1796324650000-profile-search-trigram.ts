import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Substring search over profiles without a scan: a trigram GIN index over the folded `search_key`
 * (see db/text-keys.ts), which PostgreSQL uses for `search_key LIKE '%...%'` on its own.
 * pg_trgm ships with PostgreSQL (contrib); creating it needs a role allowed to (it is "trusted" since 13).
 */
export class ProfileSearchTrigramPostgres1796324650000 implements MigrationInterface {
  name = "ProfileSearchTrigramPostgres1796324650000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await runner.query(`CREATE INDEX ix_profiles_search_key_trgm ON profiles USING gin (search_key gin_trgm_ops)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX ix_profiles_search_key_trgm`);
  }
}
