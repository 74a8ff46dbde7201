import type { MigrationInterface, QueryRunner } from "typeorm";

/** The audit trail and the stored answers of `Idempotency-Key` requests. */
export class AuditAndIdempotencyPostgres1796324429028 implements MigrationInterface {
  name = "AuditAndIdempotencyPostgres1796324429028";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE audit_events (
      id varchar(40) PRIMARY KEY NOT NULL,
      account_id varchar(40) NOT NULL REFERENCES accounts (id),
      occurred_at varchar(30) NOT NULL,
      actor_profile_id varchar(40) REFERENCES profiles (id),
      action varchar(64) NOT NULL,
      target_type varchar(32) NOT NULL,
      target_id varchar(40) NOT NULL,
      workspace_id varchar(40) REFERENCES workspaces (id),
      request_id varchar(128),
      changes text NOT NULL
    )`);
    // Lists are newest first by id within an account; each filter has an index that keeps that order.
    await runner.query(`CREATE INDEX ix_audit_events_account ON audit_events (account_id, id)`);
    await runner.query(`CREATE INDEX ix_audit_events_workspace ON audit_events (account_id, workspace_id, id)`);
    await runner.query(`CREATE INDEX ix_audit_events_action ON audit_events (account_id, action, id)`);
    await runner.query(`CREATE INDEX ix_audit_events_actor ON audit_events (account_id, actor_profile_id, id)`);

    await runner.query(`CREATE TABLE idempotency_keys (
      account_id varchar(40) NOT NULL REFERENCES accounts (id),
      idempotency_key varchar(255) NOT NULL,
      fingerprint varchar(64) NOT NULL,
      method varchar(10) NOT NULL,
      path text NOT NULL,
      state varchar(16) NOT NULL,
      response_status integer,
      response_headers text,
      response_body text,
      created_at varchar(30) NOT NULL,
      expires_at varchar(30) NOT NULL,
      PRIMARY KEY (account_id, idempotency_key)
    )`);
    await runner.query(`CREATE INDEX ix_idempotency_keys_expiry ON idempotency_keys (account_id, expires_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE idempotency_keys`);
    await runner.query(`DROP TABLE audit_events`);
  }
}
