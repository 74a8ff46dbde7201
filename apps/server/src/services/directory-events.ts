import type { EntityManager } from "typeorm";
import {
  DirectorySyncEventEntity,
  DirectoryUserEntity,
  type DirectoryUserRow,
  ProfileEntity,
  type ProfileRemovalReason,
  type ProfileRow,
  WorkspaceMemberEntity,
} from "../db/entities.ts";
import { newId } from "../db/ids.ts";
import { foldCase, profileSearchKey } from "../db/text-keys.ts";
import { findAccount, findOrCreateAccount } from "./accounts.ts";
import { recordAuditEvent } from "./audit.ts";

/**
 * What directory sync understands of WorkOS, independent of the SDK: users and organization
 * memberships being created, updated or deleted. Timestamps are WorkOS's ISO-8601 strings.
 */
export interface DirectoryUser {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  updatedAt: string;
}

export interface DirectoryMembership {
  id: string;
  userId: string;
  organizationId: string;
  /** `inactive` means deactivated in WorkOS; `active` and `pending` (invited) both count as present. */
  status: string;
  updatedAt: string;
}

export type DirectoryEvent = { id: string; createdAt: string } & (
  | { type: "user.created" | "user.updated" | "user.deleted"; user: DirectoryUser }
  | {
      type: "organization_membership.created" | "organization_membership.updated" | "organization_membership.deleted";
      membership: DirectoryMembership;
    }
);

export const DIRECTORY_EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deleted",
  "organization_membership.created",
  "organization_membership.updated",
  "organization_membership.deleted",
] as const satisfies readonly DirectoryEvent["type"][];

export interface ApplyOutcome {
  /** Events applied now. */
  applied: number;
  /** Events already applied before (a replay, or the poll seeing what a webhook delivered). */
  skipped: number;
  /** Profiles created, changed, removed or restored. */
  profilesChanged: number;
  /** Workspace memberships ended because their profile was removed. */
  membershipsEnded: number;
}

/**
 * Applies events in order, inside the caller's write unit. Each event id is recorded, so an event seen
 * again (replayed, or delivered by both the webhook and the poll) changes nothing.
 *
 * Events may also arrive out of order (webhooks are not ordered with the poll): a user or membership
 * change older than the one already applied is ignored (WorkOS `updated_at`), a deleted user never
 * comes back, and a deleted membership id never comes back (WorkOS does not reuse ids).
 *
 * A removed profile (user deleted, membership deleted or deactivated) is kept for history but hidden
 * from searches, cannot be added to a workspace, and its active workspace memberships are ended (the
 * same `removed_at` stamp an admin's removal writes). Reactivating a membership makes the profile usable
 * again but does not restore the memberships that were ended: an admin adds them back deliberately.
 *
 * `knownUsers` holds users fetched from WorkOS for memberships whose user no event has described yet.
 */
export async function applyDirectoryEvents(
  manager: EntityManager,
  events: readonly DirectoryEvent[],
  knownUsers: ReadonlyMap<string, DirectoryUser> = new Map(),
): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { applied: 0, skipped: 0, profilesChanged: 0, membershipsEnded: 0 };
  const seen = await alreadyApplied(manager, events.map((event) => event.id));
  const now = new Date().toISOString();
  for (const event of events) {
    if (seen.has(event.id)) {
      outcome.skipped++;
      continue;
    }
    seen.add(event.id);
    await manager
      .createQueryBuilder()
      .insert()
      .into(DirectorySyncEventEntity)
      .values({ eventId: event.id, eventType: event.type, processedAt: now })
      .execute();
    outcome.applied++;
    const changes = new Changes(manager, now, event.id);
    switch (event.type) {
      case "user.created":
      case "user.updated":
        await applyUserUpserted(changes, event.user);
        break;
      case "user.deleted":
        await applyUserDeleted(changes, event.user);
        break;
      case "organization_membership.created":
      case "organization_membership.updated":
        await applyMembershipUpserted(changes, event.membership, knownUsers);
        break;
      case "organization_membership.deleted":
        await applyMembershipDeleted(changes, event.membership);
        break;
    }
    outcome.profilesChanged += changes.profiles;
    outcome.membershipsEnded += changes.memberships;
  }
  return outcome;
}

/** Of `ids`, those already recorded. In chunks: a full import can hold more ids than a statement takes. */
async function alreadyApplied(manager: EntityManager, ids: string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await manager
      .createQueryBuilder(DirectorySyncEventEntity, "e")
      .select('e.eventId AS "eventId"')
      .where("e.eventId IN (:...ids)", { ids: ids.slice(start, start + 500) })
      .getRawMany<{ eventId: string }>();
    for (const row of rows) seen.add(row.eventId);
  }
  return seen;
}

/** The writes of one event, counted. */
class Changes {
  profiles = 0;
  memberships = 0;
  constructor(
    readonly manager: EntityManager,
    readonly now: string,
    /** The WorkOS event being applied: the audit trail's request id for what it changes. */
    readonly eventId: string,
  ) {}

  async updateProfile(id: string, values: Partial<ProfileRow>): Promise<void> {
    await this.manager
      .createQueryBuilder()
      .update(ProfileEntity)
      .set({ ...values, updatedAt: this.now })
      .where("id = :id", { id })
      .execute();
    this.profiles++;
  }

  /**
   * Marks the profile removed and ends its active workspace memberships, each with a `member.removed`
   * audit event made by the system (no actor profile) in this same transaction.
   */
  async removeProfile(profile: ProfileRow, reason: ProfileRemovalReason, extra: Partial<ProfileRow> = {}): Promise<void> {
    await this.updateProfile(profile.id, { ...extra, removedAt: profile.removedAt ?? this.now, removalReason: reason });
    const ended = await this.manager
      .createQueryBuilder(WorkspaceMemberEntity, "m")
      .where("m.profileId = :profileId AND m.removedAt IS NULL", { profileId: profile.id })
      .getMany();
    if (ended.length === 0) return;
    await this.manager
      .createQueryBuilder()
      .update(WorkspaceMemberEntity)
      .set({ removedAt: this.now })
      .where("profileId = :profileId AND removedAt IS NULL", { profileId: profile.id })
      .execute();
    this.memberships += ended.length;
    for (const member of ended) {
      await recordAuditEvent(
        this.manager,
        { accountId: member.accountId, actorProfileId: null, requestId: this.eventId.slice(0, 128) },
        {
          action: "member.removed",
          targetType: "member",
          targetId: member.profileId,
          workspaceId: member.workspaceId,
          changes: { actorId: { before: member.id, after: null }, profileId: { before: member.profileId, after: null } },
        },
      );
    }
  }
}

function displayName(user: DirectoryUser): string {
  return [user.firstName, user.lastName].filter((part) => part && part.trim()).join(" ").trim().slice(0, 255);
}

function personFields(user: DirectoryUser) {
  const email = user.email.slice(0, 320);
  const name = displayName(user);
  return { email, emailKey: foldCase(email), name, searchKey: profileSearchKey(name, email), workosUserUpdatedAt: user.updatedAt };
}

async function findDirectoryUser(manager: EntityManager, userId: string): Promise<DirectoryUserRow | null> {
  return manager.createQueryBuilder(DirectoryUserEntity, "u").where("u.workosUserId = :userId", { userId }).getOne();
}

async function profilesOfUser(manager: EntityManager, userId: string): Promise<ProfileRow[]> {
  return manager.createQueryBuilder(ProfileEntity, "p").where("p.workosUserId = :userId", { userId }).getMany();
}

async function applyUserUpserted(changes: Changes, user: DirectoryUser): Promise<void> {
  const { manager } = changes;
  const stored = await findDirectoryUser(manager, user.id);
  if (stored?.deletedAt) return;
  if (!stored) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(DirectoryUserEntity)
      .values({ workosUserId: user.id, email: user.email, name: displayName(user), workosUpdatedAt: user.updatedAt, deletedAt: null })
      .execute();
  } else if (user.updatedAt >= stored.workosUpdatedAt) {
    await manager
      .createQueryBuilder()
      .update(DirectoryUserEntity)
      .set({ email: user.email, name: displayName(user), workosUpdatedAt: user.updatedAt })
      .where("workosUserId = :userId", { userId: user.id })
      .execute();
  }
  const fields = personFields(user);
  for (const profile of await profilesOfUser(manager, user.id)) {
    if (profile.workosUserUpdatedAt && user.updatedAt < profile.workosUserUpdatedAt) continue;
    if (profile.email === fields.email && profile.name === fields.name) continue;
    await changes.updateProfile(profile.id, fields);
  }
}

async function applyUserDeleted(changes: Changes, user: DirectoryUser): Promise<void> {
  const { manager, now } = changes;
  const stored = await findDirectoryUser(manager, user.id);
  if (!stored) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(DirectoryUserEntity)
      .values({ workosUserId: user.id, email: user.email, name: displayName(user), workosUpdatedAt: user.updatedAt, deletedAt: now })
      .execute();
  } else if (!stored.deletedAt) {
    await manager
      .createQueryBuilder()
      .update(DirectoryUserEntity)
      .set({ deletedAt: now })
      .where("workosUserId = :userId", { userId: user.id })
      .execute();
  }
  for (const profile of await profilesOfUser(manager, user.id)) {
    if (profile.removalReason === "user_deleted") continue;
    await changes.removeProfile(profile, "user_deleted");
  }
}

async function applyMembershipUpserted(
  changes: Changes,
  membership: DirectoryMembership,
  knownUsers: ReadonlyMap<string, DirectoryUser>,
): Promise<void> {
  const { manager, now } = changes;
  const directoryUser = await findDirectoryUser(manager, membership.userId);
  if (directoryUser?.deletedAt) return;
  const account = await findOrCreateAccount(manager, membership.organizationId);
  const profile = await manager
    .createQueryBuilder(ProfileEntity, "p")
    .where("p.accountId = :accountId AND p.workosUserId = :userId", { accountId: account.id, userId: membership.userId })
    .getOne();
  const active = membership.status !== "inactive";
  const membershipFields = { workosMembershipId: membership.id, workosMembershipUpdatedAt: membership.updatedAt };

  if (!profile) {
    const fetched = knownUsers.get(membership.userId);
    const email = directoryUser?.email ?? fetched?.email ?? "";
    const name = directoryUser?.name ?? (fetched ? displayName(fetched) : "");
    const row: ProfileRow = {
      id: newId("profile"),
      accountId: account.id,
      workosUserId: membership.userId,
      email,
      emailKey: foldCase(email),
      name,
      searchKey: profileSearchKey(name, email),
      createdAt: now,
      updatedAt: now,
      ...membershipFields,
      workosUserUpdatedAt: directoryUser?.workosUpdatedAt ?? fetched?.updatedAt ?? null,
      removedAt: active ? null : now,
      removalReason: active ? null : "membership_inactive",
    };
    await manager.createQueryBuilder().insert().into(ProfileEntity).values(row).execute();
    changes.profiles++;
    return;
  }

  if (profile.removalReason === "user_deleted") return;
  // A deleted membership id is final; an older state of the current membership is stale.
  if (profile.removalReason === "membership_deleted" && profile.workosMembershipId === membership.id) return;
  if (
    profile.workosMembershipId === membership.id &&
    profile.workosMembershipUpdatedAt &&
    membership.updatedAt < profile.workosMembershipUpdatedAt
  ) {
    return;
  }

  if (!active) {
    if (profile.removedAt) {
      if (profile.workosMembershipId !== membership.id) await changes.updateProfile(profile.id, membershipFields);
      return;
    }
    await changes.removeProfile(profile, "membership_inactive", membershipFields);
    return;
  }
  if (profile.removedAt) {
    await changes.updateProfile(profile.id, { ...membershipFields, removedAt: null, removalReason: null });
    return;
  }
  if (
    profile.workosMembershipId !== membership.id ||
    profile.workosMembershipUpdatedAt !== membership.updatedAt
  ) {
    // Bookkeeping only: not counted as a change people can see.
    await manager
      .createQueryBuilder()
      .update(ProfileEntity)
      .set(membershipFields)
      .where("id = :id", { id: profile.id })
      .execute();
  }
}

async function applyMembershipDeleted(changes: Changes, membership: DirectoryMembership): Promise<void> {
  const { manager } = changes;
  const account = await findAccount(manager, membership.organizationId);
  if (!account) return;
  const profile = await manager
    .createQueryBuilder(ProfileEntity, "p")
    .where("p.accountId = :accountId AND p.workosUserId = :userId", { accountId: account.id, userId: membership.userId })
    .getOne();
  if (!profile) return;
  // The user has a newer membership of this organization: this deletion concerns an older one.
  if (profile.workosMembershipId && profile.workosMembershipId !== membership.id) return;
  if (profile.removalReason === "user_deleted" || profile.removalReason === "membership_deleted") return;
  await changes.removeProfile(profile, "membership_deleted", {
    workosMembershipId: membership.id,
    workosMembershipUpdatedAt: membership.updatedAt,
  });
}
