import { z } from "zod";
import { AuditEventId, ProfileId, WorkspaceId } from "./ids.ts";
import { PageQuery, pageOf } from "./pagination.ts";
import { Timestamp } from "./timestamp.ts";

/** What an audit event records. One action per kind of change; a rejected request records nothing. */
export const AuditAction = z
  .enum(["workspace.created", "workspace.updated", "workspace.archived", "member.added", "member.removed"])
  .meta({ id: "AuditAction" });
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditTargetType = z.enum(["workspace", "member"]).meta({ id: "AuditTargetType" });
export type AuditTargetType = z.infer<typeof AuditTargetType>;

/** A field's value before or after a change; null where the field did not exist (create) or no longer does. */
export const AuditValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type AuditValue = z.infer<typeof AuditValue>;

export const AuditChange = z.object({ before: AuditValue, after: AuditValue }).meta({ id: "AuditChange" });
export type AuditChange = z.infer<typeof AuditChange>;

export const AuditEvent = z
  .object({
    id: AuditEventId,
    occurredAt: Timestamp,
    actorProfileId: ProfileId.nullable().meta({
      description: "The admin who made the change; null for the system (directory sync)",
    }),
    action: AuditAction,
    targetType: AuditTargetType,
    targetId: z.string().meta({ description: "The workspace id, or the member's profile id" }),
    workspaceId: WorkspaceId.nullable(),
    requestId: z.string().nullable().meta({
      description: "The `x-request-id` of the request that made the change, or the WorkOS event id directory sync applied",
    }),
    changes: z
      .record(z.string(), AuditChange)
      .meta({ description: "Each field that changed, with its value before and after" }),
  })
  .meta({ id: "AuditEvent" });
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditEventPage = pageOf(AuditEvent, "AuditEventPage");
export type AuditEventPage = z.infer<typeof AuditEventPage>;

/** Newest first. Filters combine with AND; `since` is inclusive and `until` exclusive. */
export const ListAuditEventsInput = PageQuery.extend({
  action: AuditAction.optional(),
  workspaceId: WorkspaceId.optional(),
  actorProfileId: ProfileId.optional(),
  since: Timestamp.optional().meta({ description: "Only events at or after this instant" }),
  until: Timestamp.optional().meta({ description: "Only events before this instant" }),
}).strict();
export type ListAuditEventsInput = z.input<typeof ListAuditEventsInput>;
