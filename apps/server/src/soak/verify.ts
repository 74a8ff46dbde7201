import type { AuditEvent, EndpointName, Profile, Workspace, WorkspaceMember } from "@workspace-admin/contracts";
import type { Api } from "./api.ts";
import { expectEqual, expectSuccess, expectTrue } from "./checks.ts";
import type { DirectDatabase } from "./database.ts";
import { compareIds, type SoakModel } from "./model.ts";
import { expectedOf } from "./workload.ts";

/**
 * After the clients stop: the account as the API shows it, and the rows in the database, must equal the
 * model. Every check runs (one failing does not hide the others); each failure is one line.
 */

export interface FinalState {
  workspaces: number;
  activeWorkspaces: number;
  activeMembers: number;
  auditEvents: number;
  failures: string[];
}

export async function verifyFinalState(api: Api, model: SoakModel, db: DirectDatabase, organizationId: string): Promise<FinalState> {
  const failures: string[] = [];
  const check = async (what: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      failures.push(`final ${what}: ${(error as Error).message}`);
    }
  };
  const workspaces = model.workspaces();
  const active = workspaces.filter((w) => w.archivedAt === null);
  const members = model.activeMembers();
  const counts = model.auditCounts();

  // 1. Through the API.
  await check("workspaces (API, with archived)", async () => {
    expectEqual(await walk<Workspace>(api, "workspaces.list", { includeArchived: "true" }), workspaces, "every workspace");
  });
  await check("workspaces (API, active)", async () => {
    expectEqual(await walk<Workspace>(api, "workspaces.list", {}), active, "active workspaces");
  });
  await check("members (API)", async () => {
    const queue = [...workspaces];
    const worker = async () => {
      for (let ws = queue.shift(); ws; ws = queue.shift()) {
        const expected = [...model.owned(ws.id)!.members.values()].sort((a, b) => compareIds(a.actorId, b.actorId));
        expectEqual(await walk<WorkspaceMember>(api, "members.list", { workspaceId: ws.id }), expected, `members of ${ws.id}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  });
  await check("profiles (API)", async () => {
    expectEqual(await walk<Profile>(api, "profiles.search", {}), model.pool.all(), "every profile");
  });
  let auditTotal = 0;
  await check("audit log (API)", async () => {
    const events = (await walk<AuditEvent>(api, "audit.list", {})).reverse();
    auditTotal = events.length;
    for (const client of model.clients) {
      const own = events.filter((e) => e.actorProfileId === client.profileId).map(expectedOf);
      expectEqual(own, client.events, `audit events of ${client.profileId}`);
    }
    const strangers = events.filter((e) => !model.clients.some((c) => c.profileId === e.actorProfileId));
    expectEqual(strangers, [], "audit events of no client");
    expectEqual(countBy(events.map((e) => e.action)), counts, "audit events per action");
  });

  // 2. In the database itself.
  await check("database", async () => {
    const [account] = await db.query<{ id: string }>("SELECT id FROM accounts WHERE workos_organization_id = ?", [organizationId]);
    expectTrue(account !== undefined, `no account row for ${organizationId}`);
    const accountId = account!.id;
    const rows = await db.query<Record<string, string | number | null>>(
      "SELECT id, name, description, created_at, updated_at, archived_at, version FROM workspaces WHERE account_id = ? ORDER BY id",
      [accountId],
    );
    expectEqual(
      rows.map((r) => ({
        id: r.id,
        name: r.name,
        description: r.description,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        archivedAt: r.archived_at,
        version: Number(r.version),
      })),
      workspaces,
      "workspaces rows",
    );
    const memberRows = await db.query<Record<string, string>>(
      "SELECT id, workspace_id, profile_id, added_at FROM workspace_members WHERE account_id = ? AND removed_at IS NULL ORDER BY id",
      [accountId],
    );
    expectEqual(
      memberRows.map((r) => ({ actorId: r.id, workspaceId: r.workspace_id, profileId: r.profile_id, addedAt: r.added_at })),
      members.map(({ workspaceId, member }) => ({ actorId: member.actorId, workspaceId, profileId: member.profileId, addedAt: member.addedAt })),
      "active workspace_members rows",
    );
    const [all] = await db.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM workspace_members WHERE account_id = ?", [accountId]);
    expectEqual(Number(all?.n), model.memberRows(), "workspace_members rows, removed ones included (one per successful add)");
    const actions = await db.query<{ action: string; n: number | string }>(
      "SELECT action, COUNT(*) AS n FROM audit_events WHERE account_id = ? GROUP BY action",
      [accountId],
    );
    expectEqual(Object.fromEntries(actions.map((r) => [r.action, Number(r.n)])), counts, "audit_events rows per action");
    const keys = await db.query<{ state: string; n: number | string }>(
      "SELECT state, COUNT(*) AS n FROM idempotency_keys WHERE account_id = ? GROUP BY state",
      [accountId],
    );
    const expectedKeys = model.idempotencyKeys() > 0 ? { completed: model.idempotencyKeys() } : {};
    expectEqual(Object.fromEntries(keys.map((r) => [r.state, Number(r.n)])), expectedKeys, "idempotency_keys rows per state");
    const [profiles] = await db.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM profiles WHERE account_id = ?", [accountId]);
    expectEqual(Number(profiles?.n), model.pool.byId.size, "profiles rows");
  });

  return {
    workspaces: workspaces.length,
    activeWorkspaces: active.length,
    activeMembers: members.length,
    auditEvents: auditTotal,
    failures,
  };
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Every page of a list (100 at a time), checked against the contract. */
async function walk<T>(api: Api, op: EndpointName, input: Record<string, unknown>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; ; n++) {
    const answer = await api.call(op, { ...input, limit: 100, ...(cursor === undefined ? {} : { cursor }) }, {
      protocol: "rest",
      requestId: `soak-verify-${op}-${n}`,
    });
    const page = expectSuccess<{ data: T[]; hasMore: boolean; nextCursor: string | null }>(answer);
    items.push(...page.data);
    if (!page.hasMore) return items;
    cursor = page.nextCursor!;
  }
}
