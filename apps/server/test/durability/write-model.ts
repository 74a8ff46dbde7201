/**
 * What a crash test knows about the writes it sent: the state they acknowledged, and how to tell whether
 * what the server holds after a crash is that state (plus, per client, the one write the kill cut off,
 * which may or may not have happened). Each workspace belongs to one client, which sends one write at a
 * time, so the order of the acknowledged writes of a workspace is known.
 */

export type Write =
  | { kind: "create"; name: string }
  | { kind: "rename"; workspaceId: string; name: string }
  | { kind: "archive"; workspaceId: string }
  | { kind: "add"; workspaceId: string; profileId: string }
  | { kind: "remove"; workspaceId: string; profileId: string };

export interface SentWrite {
  write: Write;
  /** Sent as `x-request-id`; the audit event of the change carries it. */
  requestId: string;
  client: number;
  /** Sent before the kill signal (a write sent after it found no server). */
  sentBeforeKill: boolean;
  /** The answer's status; undefined when none came (the connection died with the server). */
  status?: number;
  body?: any;
  /** Whether a write without an answer happened after all, as found after the restart. */
  happened?: boolean;
  /** The workspace a create made (from its answer, or found after the restart). */
  createdId?: string;
}

export const acknowledged = (sent: SentWrite) => sent.status !== undefined && sent.status >= 200 && sent.status < 300;
/** No 2xx answer: the write may or may not have happened. (A 4xx would be a refusal; none is expected.) */
export const unanswered = (sent: SentWrite) => sent.status === undefined || sent.status >= 500;

export interface WorkspaceState {
  name: string;
  archived: boolean;
  version: number;
  /** Active members: profile id to actor id ("?" where the actor id is not known). */
  members: Map<string, string>;
}

/** A server's state as read after a restart, through the API or from the tables. */
export interface Observed {
  workspaces: Map<string, WorkspaceState>;
  /** From the tables only: the actor ids whose membership ended. */
  removedActorIds?: Set<string>;
}

export const describeState = (state: WorkspaceState) =>
  `${JSON.stringify(state.name)} ${state.archived ? "archived" : "active"} v${state.version} members [${[...state.members.keys()].sort().join(",")}]`;

/** The state after `write` (never a no-op: the generator only sends writes that change something). */
export function withWrite(state: WorkspaceState, write: Write): WorkspaceState {
  const next: WorkspaceState = { ...state, members: new Map(state.members) };
  if (write.kind === "rename") Object.assign(next, { name: write.name, version: state.version + 1 });
  if (write.kind === "archive") Object.assign(next, { archived: true, version: state.version + 1 });
  if (write.kind === "add") next.members.set(write.profileId, "?");
  if (write.kind === "remove") next.members.delete(write.profileId);
  return next;
}

const fresh = (name: string): WorkspaceState => ({ name, archived: false, version: 1, members: new Map() });

export interface Comparison {
  mismatches: string[];
  /** Request id of each unanswered write to whether it happened (absent where the state fits neither). */
  happened: Map<string, boolean>;
  /** Request id of each unanswered create that happened to the id of the workspace it made. */
  created: Map<string, string>;
}

export class AcknowledgedState {
  readonly workspaces = new Map<string, WorkspaceState>();
  readonly owners = new Map<string, number>();
  /** Actor ids of memberships whose removal was acknowledged. */
  readonly removedActorIds = new Set<string>();

  /** The client's workspaces that can still change. */
  activeWorkspacesOf(client: number): [string, WorkspaceState][] {
    return [...this.workspaces].filter(([id, state]) => this.owners.get(id) === client && !state.archived);
  }

  /** Takes in an acknowledged write, with the values its answer acknowledged. */
  acknowledge(sent: SentWrite): void {
    const { write, body } = sent;
    if (write.kind === "create") {
      sent.createdId = body.id;
      this.workspaces.set(body.id, { name: body.name, archived: body.archivedAt !== null, version: body.version, members: new Map() });
      this.owners.set(body.id, sent.client);
      return;
    }
    const state = this.workspaces.get(write.workspaceId)!;
    if (write.kind === "rename" || write.kind === "archive") {
      Object.assign(state, { name: body.name, archived: body.archivedAt !== null, version: body.version });
    } else if (write.kind === "add") {
      state.members.set(write.profileId, body.actorId);
    } else {
      this.removedActorIds.add(state.members.get(write.profileId)!);
      state.members.delete(write.profileId);
    }
  }

  /**
   * Every acknowledged workspace must be there in its acknowledged state, or in the state one step further
   * when its client's last write went unanswered; a workspace nobody acknowledged must be an unanswered
   * create. Acknowledged memberships keep their actor ids; acknowledged removals stay removed.
   */
  compare(unansweredWrites: SentWrite[], observed: Observed): Comparison {
    const mismatches: string[] = [];
    const happened = new Map<string, boolean>();
    const created = new Map<string, string>();
    const cutOff = new Map<string, SentWrite>();
    for (const sent of unansweredWrites) if (sent.write.kind !== "create") cutOff.set(sent.write.workspaceId, sent);

    for (const [id, expected] of this.workspaces) {
      const actual = observed.workspaces.get(id);
      if (!actual) {
        mismatches.push(`${id}: acknowledged as ${describeState(expected)}, missing`);
        continue;
      }
      const pending = cutOff.get(id);
      const [before, found] = [describeState(expected), describeState(actual)];
      const after = pending && describeState(withWrite(expected, pending.write));
      if (found === before && pending) happened.set(pending.requestId, false);
      else if (found === after && pending) happened.set(pending.requestId, true);
      else if (found !== before) mismatches.push(`${id}: acknowledged as ${before}${after ? ` (or ${after})` : ""}, found ${found}`);
      for (const [profileId, actorId] of expected.members) {
        const actualActor = actual.members.get(profileId);
        if (actualActor !== undefined && actualActor !== actorId) {
          mismatches.push(`${id}: member ${profileId} acknowledged as actor ${actorId}, found ${actualActor}`);
        }
      }
    }
    for (const actorId of observed.removedActorIds ? this.removedActorIds : []) {
      if (!observed.removedActorIds!.has(actorId)) mismatches.push(`actor ${actorId}: removal acknowledged, not removed`);
    }

    const creates = unansweredWrites.filter((sent) => sent.write.kind === "create");
    for (const [id, actual] of observed.workspaces) {
      if (this.workspaces.has(id)) continue;
      const create = creates.find((sent) => sent.write.kind === "create" && sent.write.name === actual.name && !happened.has(sent.requestId));
      if (create && describeState(actual) === describeState(fresh(actual.name))) {
        happened.set(create.requestId, true);
        created.set(create.requestId, id);
      } else {
        mismatches.push(`${id}: ${describeState(actual)}, written by no acknowledged or unanswered write`);
      }
    }
    for (const create of creates) if (!happened.has(create.requestId)) happened.set(create.requestId, false);
    return { mismatches, happened, created };
  }

  /** After a comparison: the unanswered writes that happened become part of the known state. */
  settle(unansweredWrites: SentWrite[], comparison: Comparison, observed: Observed): void {
    for (const sent of unansweredWrites) {
      sent.happened = comparison.happened.get(sent.requestId);
      if (sent.write.kind === "create" && sent.happened) {
        sent.createdId = comparison.created.get(sent.requestId)!;
        this.owners.set(sent.createdId, sent.client);
      }
      if (sent.write.kind === "remove" && sent.happened) {
        this.removedActorIds.add(this.workspaces.get(sent.write.workspaceId)!.members.get(sent.write.profileId)!);
      }
    }
    this.workspaces.clear();
    for (const [id, state] of observed.workspaces) this.workspaces.set(id, { ...state, members: new Map(state.members) });
  }
}

/** An audit event as stored. */
export interface AuditRow {
  id: string;
  request_id: string | null;
  action: string;
  target_id: string;
  workspace_id: string | null;
  changes: string;
}

const ACTIONS: Record<Write["kind"], string> = {
  create: "workspace.created",
  rename: "workspace.updated",
  archive: "workspace.archived",
  add: "member.added",
  remove: "member.removed",
};

/**
 * Exactly one audit event per acknowledged write and per unanswered write that happened, none for one
 * that did not, each describing its change; and no event that no write explains.
 */
export function auditMismatches(writes: SentWrite[], events: AuditRow[]): string[] {
  const mismatches: string[] = [];
  const byRequest = new Map<string, AuditRow[]>();
  for (const event of events) byRequest.set(event.request_id ?? "", [...(byRequest.get(event.request_id ?? "") ?? []), event]);
  for (const sent of writes) {
    const found = byRequest.get(sent.requestId) ?? [];
    byRequest.delete(sent.requestId);
    const expected = acknowledged(sent) || sent.happened === true ? 1 : 0;
    if (!acknowledged(sent) && sent.happened === undefined) continue; // its state fit no expectation: reported there
    if (found.length !== expected) {
      const what = acknowledged(sent) ? "acknowledged" : sent.happened ? "unanswered, happened" : "unanswered, did not happen";
      mismatches.push(`${sent.requestId} ${sent.write.kind} (${what}): ${found.length} audit events, expected ${expected}`);
      continue;
    }
    const event = found[0];
    if (!event) continue;
    const write = sent.write;
    const workspaceId = write.kind === "create" ? sent.createdId : write.workspaceId;
    const changes = JSON.parse(event.changes) as Record<string, { before: unknown; after: unknown }>;
    const problems = [
      event.action !== ACTIONS[write.kind] && `action ${event.action}`,
      event.workspace_id !== workspaceId && `workspace ${event.workspace_id}`,
      (write.kind === "create" || write.kind === "rename") && changes.name?.after !== write.name && `name ${JSON.stringify(changes.name)}`,
      (write.kind === "add" || write.kind === "remove") && event.target_id !== write.profileId && `target ${event.target_id}`,
      write.kind === "add" && acknowledged(sent) && changes.actorId?.after !== sent.body.actorId && `actor ${JSON.stringify(changes.actorId)}`,
      write.kind === "archive" && changes.archivedAt?.after == null && `archivedAt ${JSON.stringify(changes.archivedAt)}`,
    ].filter(Boolean);
    if (problems.length > 0) mismatches.push(`${sent.requestId} ${write.kind}: audit event ${event.id} has ${problems.join(", ")}`);
  }
  for (const [requestId, rest] of byRequest) mismatches.push(`${rest.length} audit events of request ${requestId || "(none)"}, which no write sent`);
  return mismatches;
}
