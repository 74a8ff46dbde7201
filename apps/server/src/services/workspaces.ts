import type {
  CreateWorkspaceInput,
  GetWorkspaceInput,
  ListWorkspacesInput,
  UpdateWorkspaceInput,
  Workspace,
} from "@workspace-admin/contracts";
import type { EntityManager } from "typeorm";
import type { z } from "zod";
import { isUniqueViolation } from "../db/database.ts";
import { WorkspaceEntity, type WorkspaceRow } from "../db/entities.ts";
import { newId } from "../db/ids.ts";
import { foldCase } from "../db/text-keys.ts";
import { diffFields, recordAuditEvent } from "./audit.ts";
import { conflict, notFound } from "./errors.ts";
import { decodeCursor, type Page, toPage } from "./pagination.ts";
import { checkVersion, type WriteOptions } from "./preconditions.ts";
import type { AccountScope } from "./scope.ts";

export function toWorkspace(row: WorkspaceRow): Workspace {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    archivedAt: row.archivedAt,
    version: row.version,
  };
}

/** The fields an audit event of a workspace reports. */
const AUDITED_FIELDS = ["name", "description", "archivedAt", "version"] as const;

const nameTaken = (name: string) => conflict(`An active workspace named "${name}" already exists`);

export async function createWorkspace(
  scope: AccountScope,
  input: z.output<typeof CreateWorkspaceInput>,
): Promise<Workspace> {
  const now = new Date().toISOString();
  const row: WorkspaceRow = {
    id: newId("workspace"),
    accountId: scope.accountId,
    name: input.name,
    nameKey: foldCase(input.name),
    description: input.description ?? null,
    createdAt: now,
    updatedAt: now,
    archivedAt: null,
    version: 1,
  };
  return scope.db.write(async (manager) => {
    try {
      await manager.createQueryBuilder().insert().into(WorkspaceEntity).values(row).execute();
    } catch (error) {
      // The partial unique index on (account, folded name) among active workspaces decides races.
      if (isUniqueViolation(error)) throw nameTaken(input.name);
      throw error;
    }
    await recordAuditEvent(manager, scope, {
      action: "workspace.created",
      targetType: "workspace",
      targetId: row.id,
      workspaceId: row.id,
      changes: diffFields(AUDITED_FIELDS, null, row),
    });
    return toWorkspace(row);
  });
}

export async function getWorkspace(
  scope: AccountScope,
  input: z.output<typeof GetWorkspaceInput>,
): Promise<Workspace> {
  const [row] = await scope.db.select<WorkspaceRow>(SELECT_WORKSPACE_SQL, [input.workspaceId, scope.accountId]);
  if (!row) throw notFound("Workspace");
  return toWorkspace(row);
}

/** The hottest read of the API, as one prepared statement (findWorkspaceRow is its in-transaction twin). */
const SELECT_WORKSPACE_SQL = `SELECT id, account_id AS "accountId", name, name_key AS "nameKey", description,
  created_at AS "createdAt", updated_at AS "updatedAt", archived_at AS "archivedAt", version
  FROM workspaces WHERE id = ? AND account_id = ?`;

export async function listWorkspaces(
  scope: AccountScope,
  input: z.output<typeof ListWorkspacesInput>,
): Promise<Page<Workspace>> {
  const after = decodeCursor(input.cursor, "ws");
  const rows = await scope.db.read((manager) => {
    const query = manager
      .createQueryBuilder(WorkspaceEntity, "w")
      .where("w.accountId = :accountId", { accountId: scope.accountId });
    if (!input.includeArchived) query.andWhere("w.archivedAt IS NULL");
    if (after) query.andWhere("w.id > :after", { after });
    return query.orderBy("w.id", "ASC").limit(input.limit + 1).getMany();
  });
  return toPage(rows, input.limit, toWorkspace);
}

/**
 * A PATCH that changes nothing (every given field already has its value) writes nothing: the version
 * stays, `updatedAt` stays and no audit event is recorded. `If-Match` is checked all the same.
 */
export async function updateWorkspace(
  scope: AccountScope,
  input: z.output<typeof UpdateWorkspaceInput>,
  options: WriteOptions = {},
): Promise<Workspace> {
  return scope.db.write(async (manager) => {
    const row = await findWorkspaceRow(manager, scope, input.workspaceId, { lock: true });
    if (!row) throw notFound("Workspace");
    // Preconditions come before the method's own rules (RFC 9110 §13.2.2).
    checkVersion(options.ifMatch, row.version);
    if (row.archivedAt) throw conflict("An archived workspace cannot be changed");

    const changes: Partial<WorkspaceRow> = {};
    if (input.name !== undefined && input.name !== row.name) {
      changes.name = input.name;
      changes.nameKey = foldCase(input.name);
    }
    if (input.description !== undefined && input.description !== row.description) {
      changes.description = input.description;
    }
    if (Object.keys(changes).length === 0) return toWorkspace(row);

    const updated: WorkspaceRow = { ...row, ...changes, updatedAt: new Date().toISOString(), version: row.version + 1 };
    try {
      await manager
        .createQueryBuilder()
        .update(WorkspaceEntity)
        .set({ ...changes, updatedAt: updated.updatedAt, version: updated.version })
        .where("id = :id", { id: row.id })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(updated.name);
      throw error;
    }
    await recordAuditEvent(manager, scope, {
      action: "workspace.updated",
      targetType: "workspace",
      targetId: row.id,
      workspaceId: row.id,
      changes: diffFields(AUDITED_FIELDS, row, updated),
    });
    return toWorkspace(updated);
  });
}

/**
 * Soft delete. Archiving twice answers the first archive's timestamp: the operation is idempotent, and
 * the second archive changes nothing, so it records no audit event.
 */
export async function archiveWorkspace(
  scope: AccountScope,
  input: z.output<typeof GetWorkspaceInput>,
  options: WriteOptions = {},
): Promise<Workspace> {
  return scope.db.write(async (manager) => {
    const row = await findWorkspaceRow(manager, scope, input.workspaceId, { lock: true });
    if (!row) throw notFound("Workspace");
    checkVersion(options.ifMatch, row.version);
    if (row.archivedAt) return toWorkspace(row);
    const now = new Date().toISOString();
    const updated: WorkspaceRow = { ...row, archivedAt: now, updatedAt: now, version: row.version + 1 };
    await manager
      .createQueryBuilder()
      .update(WorkspaceEntity)
      .set({ archivedAt: now, updatedAt: now, version: updated.version })
      .where("id = :id", { id: row.id })
      .execute();
    await recordAuditEvent(manager, scope, {
      action: "workspace.archived",
      targetType: "workspace",
      targetId: row.id,
      workspaceId: row.id,
      changes: diffFields(AUDITED_FIELDS, row, updated),
    });
    return toWorkspace(updated);
  });
}

/**
 * The workspace with this id in the caller's account, or null: another account's workspace is
 * indistinguishable from one that does not exist. `lock` takes a row lock on PostgreSQL so that
 * concurrent writes to one workspace (archive vs add member) run one after the other; SQLite's
 * write transactions are already serialized.
 */
export async function findWorkspaceRow(
  manager: EntityManager,
  scope: AccountScope,
  workspaceId: string,
  options: { lock?: boolean } = {},
): Promise<WorkspaceRow | null> {
  const query = manager
    .createQueryBuilder(WorkspaceEntity, "w")
    .where("w.id = :workspaceId AND w.accountId = :accountId", { workspaceId, accountId: scope.accountId });
  if (options.lock && scope.db.dialect === "postgres") query.setLock("pessimistic_write");
  return query.getOne();
}
