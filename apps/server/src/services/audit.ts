import type { AuditAction, AuditChange, AuditEvent, AuditTargetType, ListAuditEventsInput } from "@workspace-admin/contracts";
import type { EntityManager } from "typeorm";
import type { z } from "zod";
import { AuditEventEntity, type AuditEventRow } from "../db/entities.ts";
import { newId } from "../db/ids.ts";
import { invalid } from "./errors.ts";
import { decodeCursor, type Page, toPage } from "./pagination.ts";
import type { AccountScope } from "./scope.ts";

export type AuditChanges = Record<string, AuditChange>;

/**
 * Who made a change: an admin's request (any `AccountScope` is one), or the system (`actorProfileId`
 * null), such as directory sync, whose `requestId` names the WorkOS event it applied.
 */
export interface AuditActor {
  accountId: string;
  actorProfileId: string | null;
  requestId?: string | undefined;
}

export interface AuditEntry {
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string;
  workspaceId: string | null;
  changes: AuditChanges;
}

/**
 * Writes one audit event with the `manager` of the write unit that makes the change, so that the event
 * commits with the change or not at all. Callers record only changes that happened: a request that is
 * rejected, or that changes nothing, records no event.
 */
export async function recordAuditEvent(manager: EntityManager, actor: AuditActor, entry: AuditEntry): Promise<void> {
  const row: AuditEventRow = {
    id: newId("audit"),
    accountId: actor.accountId,
    occurredAt: new Date().toISOString(),
    actorProfileId: actor.actorProfileId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    workspaceId: entry.workspaceId,
    requestId: actor.requestId || null,
    changes: JSON.stringify(entry.changes),
  };
  await manager.createQueryBuilder().insert().into(AuditEventEntity).values(row).execute();
}

/** Before/after pairs of the fields that differ between two snapshots (a missing snapshot is all nulls). */
export function diffFields<K extends string>(
  fields: readonly K[],
  before: Partial<Record<K, AuditChange["before"]>> | null,
  after: Partial<Record<K, AuditChange["after"]>> | null,
): AuditChanges {
  const changes: AuditChanges = {};
  for (const field of fields) {
    const was = before?.[field] ?? null;
    const now = after?.[field] ?? null;
    if (was !== now) changes[field] = { before: was, after: now };
  }
  return changes;
}

function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    occurredAt: row.occurredAt,
    actorProfileId: row.actorProfileId,
    action: row.action as AuditAction,
    targetType: row.targetType as AuditTargetType,
    targetId: row.targetId,
    workspaceId: row.workspaceId,
    requestId: row.requestId,
    changes: JSON.parse(row.changes) as AuditChanges,
  };
}

/**
 * Newest first: audit ids are time-ordered, so the keyset is `id < cursor` in descending id order.
 * `since`/`until` compare the stored ISO strings, which is correct only for one fixed format, so the
 * inputs (which may omit milliseconds) are normalized to `toISOString()` first. A filter naming an id
 * of another account simply matches nothing.
 */
export async function listAuditEvents(
  scope: AccountScope,
  input: z.output<typeof ListAuditEventsInput>,
): Promise<Page<AuditEvent>> {
  const before = decodeCursor(input.cursor, "aud");
  const since = input.since === undefined ? undefined : new Date(input.since).toISOString();
  const until = input.until === undefined ? undefined : new Date(input.until).toISOString();
  if (since !== undefined && until !== undefined && since > until) throw invalid("`since` must not be after `until`");
  const rows = await scope.db.read((manager) => {
    const query = manager
      .createQueryBuilder(AuditEventEntity, "e")
      .where("e.accountId = :accountId", { accountId: scope.accountId });
    if (input.action !== undefined) query.andWhere("e.action = :action", { action: input.action });
    if (input.workspaceId !== undefined) query.andWhere("e.workspaceId = :workspaceId", { workspaceId: input.workspaceId });
    if (input.actorProfileId !== undefined) {
      query.andWhere("e.actorProfileId = :actorProfileId", { actorProfileId: input.actorProfileId });
    }
    if (since !== undefined) query.andWhere("e.occurredAt >= :since", { since });
    if (until !== undefined) query.andWhere("e.occurredAt < :until", { until });
    if (before) query.andWhere("e.id < :before", { before });
    return query.orderBy("e.id", "DESC").limit(input.limit + 1).getMany();
  });
  return toPage(rows, input.limit, toAuditEvent);
}
