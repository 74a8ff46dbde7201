import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Substring search over profiles without a scan: a trigram GIN index over the folded `search_key`
 * (see db/text-keys.ts), which PostgreSQL uses for `search_key LIKE '%...%'` on its own.
 *
 * pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since 13. An extension belongs to
 * the whole database, not to a schema's tables: it is created in `public` (so that dropping one
 * schema, as the tests do with theirs, cannot take it away from the others), under an advisory lock
 * (two servers migrating two schemas at once would otherwise race on creating it), and its operator
 * class is named with the schema it actually lives in.
 */
export class ProfileSearchTrigramPostgres1796324650000 implements MigrationInterface {
  name = "ProfileSearchTrigramPostgres1796324650000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(hashtext('workspace-admin:pg_trgm'))`);
    await runner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`);
    const [extension] = (await runner.query(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
       WHERE e.extname = 'pg_trgm'`,
    )) as { schema: string }[];
    const schema = `"${extension!.schema.replace(/"/g, '""')}"`;
    await runner.query(`CREATE INDEX ix_profiles_search_key_trgm ON profiles USING gin (search_key ${schema}.gin_trgm_ops)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX ix_profiles_search_key_trgm`);
  }
}
