import type { MigrationInterface, QueryRunner } from "typeorm";

export class InitialSchemaSqlite1733200000000 implements MigrationInterface {
  name = "InitialSchemaSqlite1733200000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE accounts (
      id varchar(40) PRIMARY KEY NOT NULL,
      workos_organization_id varchar(255) NOT NULL,
      created_at varchar(30) NOT NULL
    )`);
    await runner.query(`CREATE UNIQUE INDEX ux_accounts_workos_organization ON accounts (workos_organization_id)`);

    await runner.query(`CREATE TABLE profiles (
      id varchar(40) PRIMARY KEY NOT NULL,
      account_id varchar(40) NOT NULL REFERENCES accounts (id),
      workos_user_id varchar(255) NOT NULL,
      email varchar(320) NOT NULL,
      email_key varchar(400) NOT NULL,
      name varchar(255) NOT NULL,
      search_key text NOT NULL,
      created_at varchar(30) NOT NULL,
      updated_at varchar(30) NOT NULL
    )`);
    await runner.query(`CREATE UNIQUE INDEX ux_profiles_account_user ON profiles (account_id, workos_user_id)`);
    await runner.query(`CREATE UNIQUE INDEX ux_profiles_account_id ON profiles (account_id, id)`);
    await runner.query(`CREATE INDEX ix_profiles_account_email ON profiles (account_id, email_key)`);

    await runner.query(`CREATE TABLE workspaces (
      id varchar(40) PRIMARY KEY NOT NULL,
      account_id varchar(40) NOT NULL REFERENCES accounts (id),
      name varchar(255) NOT NULL,
      name_key varchar(1024) NOT NULL,
      description text,
      created_at varchar(30) NOT NULL,
      updated_at varchar(30) NOT NULL,
      archived_at varchar(30),
      version integer NOT NULL
    )`);
    await runner.query(`CREATE UNIQUE INDEX ux_workspaces_account_id ON workspaces (account_id, id)`);
    // The database, not the application, decides a race between two creates of one name.
    await runner.query(
      `CREATE UNIQUE INDEX ux_workspaces_active_name ON workspaces (account_id, name_key) WHERE archived_at IS NULL`,
    );

    await runner.query(`CREATE TABLE workspace_members (
      id varchar(40) PRIMARY KEY NOT NULL,
      account_id varchar(40) NOT NULL REFERENCES accounts (id),
      workspace_id varchar(40) NOT NULL REFERENCES workspaces (id),
      profile_id varchar(40) NOT NULL REFERENCES profiles (id),
      added_at varchar(30) NOT NULL,
      removed_at varchar(30)
    )`);
    await runner.query(
      `CREATE UNIQUE INDEX ux_workspace_members_active ON workspace_members (workspace_id, profile_id) WHERE removed_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX ix_workspace_members_list ON workspace_members (workspace_id, id) WHERE removed_at IS NULL`,
    );
    await runner.query(`CREATE INDEX ix_workspace_members_profile ON workspace_members (profile_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE workspace_members`);
    await runner.query(`DROP TABLE workspaces`);
    await runner.query(`DROP TABLE profiles`);
    await runner.query(`DROP TABLE accounts`);
  }
}
