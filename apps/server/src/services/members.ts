import type {
  AddWorkspaceMemberInput,
  GetWorkspaceMemberInput,
  ListWorkspaceMembersInput,
  RemoveWorkspaceMemberInput,
  WorkspaceMember,
} from "@workspace-admin/contracts";
import type { EntityManager } from "typeorm";
import type { z } from "zod";
import { isUniqueViolation } from "../db/database.ts";
import { ProfileEntity, WorkspaceMemberEntity, type WorkspaceMemberRow } from "../db/entities.ts";
import { newId } from "../db/ids.ts";
import { recordAuditEvent } from "./audit.ts";
import { conflict, notFound } from "./errors.ts";
import { decodeCursor, type Page, toPage } from "./pagination.ts";
import type { AccountScope } from "./scope.ts";
import { findWorkspaceRow } from "./workspaces.ts";

interface MemberView {
  id: string;
  profileId: string;
  addedAt: string;
  email: string;
  name: string;
}

function toMember(view: MemberView): WorkspaceMember {
  const member: WorkspaceMember = { actorId: view.id, profileId: view.profileId, addedAt: view.addedAt };
  // Optional in the contract: left out while the profile's email or name is not known.
  if (view.email) member.email = view.email;
  if (view.name) member.name = view.name;
  return member;
}

/** Members in the order they were added (actor ids are time-ordered). Archived workspaces can be read. */
export async function listWorkspaceMembers(
  scope: AccountScope,
  input: z.output<typeof ListWorkspaceMembersInput>,
): Promise<Page<WorkspaceMember>> {
  const after = decodeCursor(input.cursor, "act");
  const rows = await scope.db.read(async (manager) => {
    const workspace = await findWorkspaceRow(manager, scope, input.workspaceId);
    if (!workspace) throw notFound("Workspace");
    const query = memberQuery(manager)
      .where("m.workspaceId = :workspaceId AND m.removedAt IS NULL", { workspaceId: workspace.id });
    if (after) query.andWhere("m.id > :after", { after });
    return query.orderBy("m.id", "ASC").limit(input.limit + 1).getRawMany<MemberView>();
  });
  return toPage(rows, input.limit, toMember);
}

/** The active membership of one profile in one workspace; 404 for either missing, or for a removed member. */
export async function getWorkspaceMember(
  scope: AccountScope,
  input: z.output<typeof GetWorkspaceMemberInput>,
): Promise<WorkspaceMember> {
  const member = await scope.db.read(async (manager) => {
    const workspace = await findWorkspaceRow(manager, scope, input.workspaceId);
    if (!workspace) throw notFound("Workspace");
    return findActiveMember(manager, workspace.id, input.profileId);
  });
  if (!member) throw notFound("Member");
  return toMember(member);
}

export async function addWorkspaceMember(
  scope: AccountScope,
  input: z.output<typeof AddWorkspaceMemberInput>,
): Promise<WorkspaceMember> {
  return scope.db.write(async (manager) => {
    // Locks the workspace row (PostgreSQL) so an archive running at the same moment waits for us or we
    // see its result: a member is never added to an archived workspace.
    const workspace = await findWorkspaceRow(manager, scope, input.workspaceId, { lock: true });
    if (!workspace) throw notFound("Workspace");
    if (workspace.archivedAt) throw conflict("Members cannot be added to an archived workspace");

    const profile = await manager
      .createQueryBuilder(ProfileEntity, "p")
      .where("p.id = :profileId AND p.accountId = :accountId", {
        profileId: input.profileId,
        accountId: scope.accountId,
      })
      .getOne();
    if (!profile) throw notFound("Profile");
    if (profile.removedAt) {
      throw conflict("The profile's WorkOS user or organization membership has been removed; it cannot be added");
    }

    const row: WorkspaceMemberRow = {
      id: newId("actor"),
      accountId: scope.accountId,
      workspaceId: workspace.id,
      profileId: profile.id,
      addedAt: new Date().toISOString(),
      removedAt: null,
    };
    try {
      await manager.createQueryBuilder().insert().into(WorkspaceMemberEntity).values(row).execute();
    } catch (error) {
      // The partial unique index on active (workspace, profile) pairs decides concurrent adds.
      if (isUniqueViolation(error)) throw conflict("The profile is already a member of this workspace");
      throw error;
    }
    await recordAuditEvent(manager, scope, {
      action: "member.added",
      targetType: "member",
      targetId: profile.id,
      workspaceId: workspace.id,
      changes: { actorId: { before: null, after: row.id }, profileId: { before: null, after: profile.id } },
    });
    return toMember({ ...row, email: profile.email, name: profile.name });
  });
}

/**
 * Ends the membership and answers it (200 with the removed member). The actor row is kept with
 * `removedAt` set, so history survives and the profile can be added again as a new actor.
 * Removing from an archived workspace is allowed: archiving freezes the workspace's own fields, and an
 * admin may still need to revoke access to what it holds.
 */
export async function removeWorkspaceMember(
  scope: AccountScope,
  input: z.output<typeof RemoveWorkspaceMemberInput>,
): Promise<WorkspaceMember> {
  return scope.db.write(async (manager) => {
    const workspace = await findWorkspaceRow(manager, scope, input.workspaceId, { lock: true });
    if (!workspace) throw notFound("Workspace");
    const member = await findActiveMember(manager, workspace.id, input.profileId);
    if (!member) throw notFound("Member");
    await manager
      .createQueryBuilder()
      .update(WorkspaceMemberEntity)
      .set({ removedAt: new Date().toISOString() })
      .where("id = :id", { id: member.id })
      .execute();
    await recordAuditEvent(manager, scope, {
      action: "member.removed",
      targetType: "member",
      targetId: member.profileId,
      workspaceId: workspace.id,
      changes: { actorId: { before: member.id, after: null }, profileId: { before: member.profileId, after: null } },
    });
    return toMember(member);
  });
}

async function findActiveMember(
  manager: EntityManager,
  workspaceId: string,
  profileId: string,
): Promise<MemberView | undefined> {
  return memberQuery(manager)
    .where("m.workspaceId = :workspaceId AND m.profileId = :profileId AND m.removedAt IS NULL", {
      workspaceId,
      profileId,
    })
    .getRawOne<MemberView>();
}

function memberQuery(manager: EntityManager) {
  return manager
    .createQueryBuilder(WorkspaceMemberEntity, "m")
    .innerJoin(ProfileEntity.options.name, "p", "p.id = m.profileId")
    .select([
      'm.id AS "id"',
      'm.profileId AS "profileId"',
      'm.addedAt AS "addedAt"',
      'p.email AS "email"',
      'p.name AS "name"',
    ]);
}
