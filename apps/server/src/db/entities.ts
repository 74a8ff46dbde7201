import { EntitySchema } from "typeorm";

// EntitySchema rather than decorators: tsx/esbuild emit no decorator metadata (see PITFALLS.md).
// Timestamps are stored as ISO-8601 UTC strings so both dialects hand back exactly what the API answers.

export interface AccountRow {
  id: string;
  workosOrganizationId: string;
  createdAt: string;
}

export const AccountEntity = new EntitySchema<AccountRow>({
  name: "Account",
  tableName: "accounts",
  columns: {
    id: { type: "varchar", length: 40, primary: true },
    workosOrganizationId: { type: "varchar", length: 255, name: "workos_organization_id" },
    createdAt: { type: "varchar", length: 30, name: "created_at" },
  },
});

export interface ProfileRow {
  id: string;
  accountId: string;
  workosUserId: string;
  email: string;
  emailKey: string;
  name: string;
  searchKey: string;
  createdAt: string;
  updatedAt: string;
  /** The WorkOS organization membership that makes this user a person of the account (directory sync). */
  workosMembershipId?: string | null;
  workosMembershipUpdatedAt?: string | null;
  workosUserUpdatedAt?: string | null;
  /** Set when WorkOS deleted the user or their membership, or deactivated the membership. */
  removedAt?: string | null;
  removalReason?: ProfileRemovalReason | null;
}

export type ProfileRemovalReason = "user_deleted" | "membership_deleted" | "membership_inactive";

export const ProfileEntity = new EntitySchema<ProfileRow>({
  name: "Profile",
  tableName: "profiles",
  columns: {
    id: { type: "varchar", length: 40, primary: true },
    accountId: { type: "varchar", length: 40, name: "account_id" },
    workosUserId: { type: "varchar", length: 255, name: "workos_user_id" },
    email: { type: "varchar", length: 320 },
    emailKey: { type: "varchar", length: 400, name: "email_key" },
    name: { type: "varchar", length: 255 },
    searchKey: { type: "text", name: "search_key" },
    createdAt: { type: "varchar", length: 30, name: "created_at" },
    updatedAt: { type: "varchar", length: 30, name: "updated_at" },
    workosMembershipId: { type: "varchar", length: 255, name: "workos_membership_id", nullable: true },
    workosMembershipUpdatedAt: { type: "varchar", length: 40, name: "workos_membership_updated_at", nullable: true },
    workosUserUpdatedAt: { type: "varchar", length: 40, name: "workos_user_updated_at", nullable: true },
    removedAt: { type: "varchar", length: 30, name: "removed_at", nullable: true },
    removalReason: { type: "varchar", length: 40, name: "removal_reason", nullable: true },
  },
});

export interface WorkspaceRow {
  id: string;
  accountId: string;
  name: string;
  nameKey: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  version: number;
}

export const WorkspaceEntity = new EntitySchema<WorkspaceRow>({
  name: "Workspace",
  tableName: "workspaces",
  columns: {
    id: { type: "varchar", length: 40, primary: true },
    accountId: { type: "varchar", length: 40, name: "account_id" },
    name: { type: "varchar", length: 255 },
    nameKey: { type: "varchar", length: 1024, name: "name_key" },
    description: { type: "text", nullable: true },
    createdAt: { type: "varchar", length: 30, name: "created_at" },
    updatedAt: { type: "varchar", length: 30, name: "updated_at" },
    archivedAt: { type: "varchar", length: 30, name: "archived_at", nullable: true },
    version: { type: "integer" },
  },
});

/** The actor row: links a profile to a workspace. Removal stamps `removedAt`; re-adding makes a new row. */
export interface WorkspaceMemberRow {
  id: string;
  accountId: string;
  workspaceId: string;
  profileId: string;
  addedAt: string;
  removedAt: string | null;
}

export const WorkspaceMemberEntity = new EntitySchema<WorkspaceMemberRow>({
  name: "WorkspaceMember",
  tableName: "workspace_members",
  columns: {
    id: { type: "varchar", length: 40, primary: true },
    accountId: { type: "varchar", length: 40, name: "account_id" },
    workspaceId: { type: "varchar", length: 40, name: "workspace_id" },
    profileId: { type: "varchar", length: 40, name: "profile_id" },
    addedAt: { type: "varchar", length: 30, name: "added_at" },
    removedAt: { type: "varchar", length: 30, name: "removed_at", nullable: true },
  },
});

/** A WorkOS user as the last applied event described them, whichever organizations they belong to. */
export interface DirectoryUserRow {
  workosUserId: string;
  email: string;
  name: string;
  workosUpdatedAt: string;
  deletedAt: string | null;
}

export const DirectoryUserEntity = new EntitySchema<DirectoryUserRow>({
  name: "DirectoryUser",
  tableName: "directory_users",
  columns: {
    workosUserId: { type: "varchar", length: 255, primary: true, name: "workos_user_id" },
    email: { type: "varchar", length: 320 },
    name: { type: "varchar", length: 255 },
    workosUpdatedAt: { type: "varchar", length: 40, name: "workos_updated_at" },
    deletedAt: { type: "varchar", length: 30, name: "deleted_at", nullable: true },
  },
});

/** Where the Events API poll resumes: one row, id `workos-events`. */
export interface DirectorySyncStateRow {
  id: string;
  eventsCursor: string | null;
  lastRunAt: string | null;
  updatedAt: string;
}

export const DirectorySyncStateEntity = new EntitySchema<DirectorySyncStateRow>({
  name: "DirectorySyncState",
  tableName: "directory_sync_state",
  columns: {
    id: { type: "varchar", length: 40, primary: true },
    eventsCursor: { type: "varchar", length: 255, name: "events_cursor", nullable: true },
    lastRunAt: { type: "varchar", length: 30, name: "last_run_at", nullable: true },
    updatedAt: { type: "varchar", length: 30, name: "updated_at" },
  },
});

/** Events already applied, from the poll or a webhook: applying one again is skipped. */
export interface DirectorySyncEventRow {
  eventId: string;
  eventType: string;
  processedAt: string;
}

export const DirectorySyncEventEntity = new EntitySchema<DirectorySyncEventRow>({
  name: "DirectorySyncEvent",
  tableName: "directory_sync_events",
  columns: {
    eventId: { type: "varchar", length: 255, primary: true, name: "event_id" },
    eventType: { type: "varchar", length: 100, name: "event_type" },
    processedAt: { type: "varchar", length: 30, name: "processed_at" },
  },
});

/** One change, written in the same transaction as the change. `changes` is JSON text (portable). */
export interface AuditEventRow {
  id: string;
  accountId: string;
  occurredAt: string;
  actorProfileId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  workspaceId: string | null;
  requestId: string | null;
  changes: string;
}

export const AuditEventEntity = new EntitySchema<AuditEventRow>({
  name: "AuditEvent",
  tableName: "audit_events",
  columns: {
    id: { type: "varchar", length: 40, primary: true },
    accountId: { type: "varchar", length: 40, name: "account_id" },
    occurredAt: { type: "varchar", length: 30, name: "occurred_at" },
    actorProfileId: { type: "varchar", length: 40, name: "actor_profile_id", nullable: true },
    action: { type: "varchar", length: 64 },
    targetType: { type: "varchar", length: 32, name: "target_type" },
    targetId: { type: "varchar", length: 40, name: "target_id" },
    workspaceId: { type: "varchar", length: 40, name: "workspace_id", nullable: true },
    requestId: { type: "varchar", length: 128, name: "request_id", nullable: true },
    changes: { type: "text" },
  },
});

/**
 * A claimed `Idempotency-Key` of one account: `in_progress` while the first request runs, then
 * `completed` with the answer to replay. The primary key (account, key) decides concurrent claims.
 */
export interface IdempotencyKeyRow {
  accountId: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
  state: "in_progress" | "completed";
  responseStatus: number | null;
  responseHeaders: string | null;
  responseBody: string | null;
  createdAt: string;
  expiresAt: string;
}

export const IdempotencyKeyEntity = new EntitySchema<IdempotencyKeyRow>({
  name: "IdempotencyKey",
  tableName: "idempotency_keys",
  columns: {
    accountId: { type: "varchar", length: 40, name: "account_id", primary: true },
    key: { type: "varchar", length: 255, name: "idempotency_key", primary: true },
    fingerprint: { type: "varchar", length: 64 },
    method: { type: "varchar", length: 10 },
    path: { type: "text" },
    state: { type: "varchar", length: 16 },
    responseStatus: { type: "integer", name: "response_status", nullable: true },
    responseHeaders: { type: "text", name: "response_headers", nullable: true },
    responseBody: { type: "text", name: "response_body", nullable: true },
    createdAt: { type: "varchar", length: 30, name: "created_at" },
    expiresAt: { type: "varchar", length: 30, name: "expires_at" },
  },
});

export const entities = [
  AccountEntity,
  ProfileEntity,
  WorkspaceEntity,
  WorkspaceMemberEntity,
  DirectoryUserEntity,
  DirectorySyncStateEntity,
  DirectorySyncEventEntity,
  AuditEventEntity,
  IdempotencyKeyEntity,
];
