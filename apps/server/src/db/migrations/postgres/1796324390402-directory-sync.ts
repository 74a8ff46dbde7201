import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Directory sync with WorkOS: profile status (a profile whose user or organization membership is gone
 * is kept, for history, but marked removed), the users WorkOS told us about (so a membership event can
 * name its person), the Events API cursor, and the ids of events already applied (replays are no-ops).
 */
export class DirectorySyncPostgres1796324390402 implements MigrationInterface {
  name = "DirectorySyncPostgres1796324390402";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE profiles ADD COLUMN workos_membership_id varchar(255)`);
    await runner.query(`ALTER TABLE profiles ADD COLUMN workos_membership_updated_at varchar(40)`);
    await runner.query(`ALTER TABLE profiles ADD COLUMN workos_user_updated_at varchar(40)`);
    await runner.query(`ALTER TABLE profiles ADD COLUMN removed_at varchar(30)`);
    await runner.query(`ALTER TABLE profiles ADD COLUMN removal_reason varchar(40)`);
    await runner.query(`CREATE INDEX ix_profiles_workos_user ON profiles (workos_user_id)`);

    await runner.query(`CREATE TABLE directory_users (
      workos_user_id varchar(255) PRIMARY KEY NOT NULL,
      email varchar(320) NOT NULL,
      name varchar(255) NOT NULL,
      workos_updated_at varchar(40) NOT NULL,
      deleted_at varchar(30)
    )`);

    await runner.query(`CREATE TABLE directory_sync_state (
      id varchar(40) PRIMARY KEY NOT NULL,
      events_cursor varchar(255),
      last_run_at varchar(30),
      updated_at varchar(30) NOT NULL
    )`);
    await runner.query(
      `INSERT INTO directory_sync_state (id, events_cursor, last_run_at, updated_at) VALUES ('workos-events', NULL, NULL, '${new Date().toISOString()}')`,
    );

    await runner.query(`CREATE TABLE directory_sync_events (
      event_id varchar(255) PRIMARY KEY NOT NULL,
      event_type varchar(100) NOT NULL,
      processed_at varchar(30) NOT NULL
    )`);
    await runner.query(`CREATE INDEX ix_directory_sync_events_processed ON directory_sync_events (processed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE directory_sync_events`);
    await runner.query(`DROP TABLE directory_sync_state`);
    await runner.query(`DROP TABLE directory_users`);
    await runner.query(`DROP INDEX ix_profiles_workos_user`);
    for (const column of ["removal_reason", "removed_at", "workos_user_updated_at", "workos_membership_updated_at", "workos_membership_id"]) {
      await runner.query(`ALTER TABLE profiles DROP COLUMN ${column}`);
    }
  }
}
