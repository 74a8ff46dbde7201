import type { AuditAction, AuditChange, Profile, Workspace, WorkspaceMember } from "@workspace-admin/contracts";

/**
 * What the database must hold after the soak, kept in memory by the clients as they go.
 *
 * The model is exact because state is partitioned: each client owns the workspaces it created (and
 * every membership in them), works on them one request at a time, and names them with a prefix of its
 * own, so no other client can change them or clash with their names. Profiles are shared but read-only
 * after setup. What is account-wide (the workspace list, the audit log) is checked per owner: each
 * client's slice of it must equal its model, whatever the others are doing at the same moment.
 */

/** Case folding as the API promises it: "in every alphabet" (`Straße` = `STRASSE`, `ОТДЕЛ` = `отдел`). */
export function fold(text: string): string {
  return text.normalize("NFKC").toUpperCase().toLowerCase();
}

/** An audit event as the model predicts it: everything but its id and time, which the server assigns. */
export interface ExpectedAuditEvent {
  action: AuditAction;
  targetType: "workspace" | "member";
  targetId: string;
  workspaceId: string;
  actorProfileId: string;
  /** The `x-request-id` of the request that made the change. */
  requestId: string;
  changes: Record<string, AuditChange>;
}

export interface OwnedWorkspace {
  workspace: Workspace;
  /** Active members by profile id, as the add answered them. */
  members: Map<string, WorkspaceMember>;
}

/** The people of the account, created at setup and never changed afterwards. */
export class ProfilePool {
  readonly byId = new Map<string, Profile>();

  add(profile: Profile): void {
    this.byId.set(profile.id, profile);
  }

  /** In id order (creation order), as every list answers. */
  all(): Profile[] {
    return [...this.byId.values()].sort((a, b) => compareIds(a.id, b.id));
  }

  ids(): string[] {
    return this.all().map((p) => p.id);
  }

  /**
   * `query` matches name or email anywhere, ignoring case; `email` the whole address, ignoring case;
   * both given: both must match. Name and email are matched separately (a match never spans both).
   */
  search(query: string | undefined, email: string | undefined): Profile[] {
    const q = query === undefined ? undefined : fold(query.trim());
    const e = email === undefined ? undefined : fold(email.trim());
    return this.all().filter(
      (p) =>
        (q === undefined || fold(p.name ?? "").includes(q) || fold(p.email ?? "").includes(q)) &&
        (e === undefined || fold(p.email ?? "") === e),
    );
  }
}

/** One client's share of the account: its workspaces, their members, and the audit events it caused. */
export class ClientModel {
  readonly workspaces = new Map<string, OwnedWorkspace>();
  readonly events: ExpectedAuditEvent[] = [];
  /** Successful adds: each leaves an actor row, removed or not. */
  memberRows = 0;
  /** Idempotency keys sent (each is stored once, whatever the answer). */
  idempotencyKeys = 0;

  constructor(
    /** The client's own profile: the actor of its audit events. */
    readonly profileId: string,
  ) {}

  active(): OwnedWorkspace[] {
    return [...this.workspaces.values()].filter((w) => w.workspace.archivedAt === null);
  }

  archived(): OwnedWorkspace[] {
    return [...this.workspaces.values()].filter((w) => w.workspace.archivedAt !== null);
  }

  /** The active workspace (other than `except`) whose name folds to the same key, if any. */
  nameHolder(name: string, except?: string): OwnedWorkspace | undefined {
    const key = fold(name.trim());
    return this.active().find((w) => w.workspace.id !== except && fold(w.workspace.name) === key);
  }

  created(workspace: Workspace, requestId: string): void {
    this.workspaces.set(workspace.id, { workspace, members: new Map() });
    this.record(requestId, "workspace.created", "workspace", workspace.id, workspace.id, diff(null, workspace));
  }

  /** An update or archive that changed something (a new version). */
  changed(before: Workspace, after: Workspace, requestId: string): void {
    const owned = this.workspaces.get(before.id)!;
    owned.workspace = after;
    const action = before.archivedAt === null && after.archivedAt !== null ? "workspace.archived" : "workspace.updated";
    this.record(requestId, action, "workspace", after.id, after.id, diff(before, after));
  }

  memberAdded(workspaceId: string, member: WorkspaceMember, requestId: string): void {
    this.workspaces.get(workspaceId)!.members.set(member.profileId, member);
    this.memberRows++;
    this.record(requestId, "member.added", "member", member.profileId, workspaceId, {
      actorId: { before: null, after: member.actorId },
      profileId: { before: null, after: member.profileId },
    });
  }

  memberRemoved(workspaceId: string, member: WorkspaceMember, requestId: string): void {
    this.workspaces.get(workspaceId)!.members.delete(member.profileId);
    this.record(requestId, "member.removed", "member", member.profileId, workspaceId, {
      actorId: { before: member.actorId, after: null },
      profileId: { before: member.profileId, after: null },
    });
  }

  private record(
    requestId: string,
    action: AuditAction,
    targetType: "workspace" | "member",
    targetId: string,
    workspaceId: string,
    changes: Record<string, AuditChange>,
  ): void {
    this.events.push({ action, targetType, targetId, workspaceId, actorProfileId: this.profileId, requestId, changes });
  }
}

/** The fields an audit event of a workspace reports, with their values before and after. */
const AUDITED_FIELDS = ["name", "description", "archivedAt", "version"] as const;

function diff(before: Workspace | null, after: Workspace): Record<string, AuditChange> {
  const changes: Record<string, AuditChange> = {};
  for (const field of AUDITED_FIELDS) {
    const was = before?.[field] ?? null;
    const now = after[field] ?? null;
    if (was !== now) changes[field] = { before: was, after: now };
  }
  return changes;
}

/** The whole account: every client's share, and the shared people. */
export class SoakModel {
  readonly pool = new ProfilePool();
  readonly clients: ClientModel[] = [];

  workspaces(): Workspace[] {
    return this.clients.flatMap((c) => [...c.workspaces.values()].map((w) => w.workspace)).sort((a, b) => compareIds(a.id, b.id));
  }

  owned(workspaceId: string): OwnedWorkspace | undefined {
    for (const client of this.clients) {
      const owned = client.workspaces.get(workspaceId);
      if (owned) return owned;
    }
    return undefined;
  }

  /** Active memberships as `workspaceId profileId actorId addedAt`, sorted by actor id. */
  activeMembers(): { workspaceId: string; member: WorkspaceMember }[] {
    return this.clients
      .flatMap((c) => [...c.workspaces.values()].flatMap((w) => [...w.members.values()].map((member) => ({ workspaceId: w.workspace.id, member }))))
      .sort((a, b) => compareIds(a.member.actorId, b.member.actorId));
  }

  auditCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const event of this.clients.flatMap((c) => c.events)) counts[event.action] = (counts[event.action] ?? 0) + 1;
    return counts;
  }

  memberRows(): number {
    return this.clients.reduce((sum, c) => sum + c.memberRows, 0);
  }

  idempotencyKeys(): number {
    return this.clients.reduce((sum, c) => sum + c.idempotencyKeys, 0);
  }
}

/** Ids of one kind sort by creation time as plain strings (prefix, then a ULID). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
