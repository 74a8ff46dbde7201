import { z } from "zod";

/**
 * Ids are opaque strings: a type prefix and a time-ordered ULID (26 Crockford base32 characters).
 * The schemas check the shape so that a malformed id is a 400 before any query runs; an id of the
 * right shape that does not exist in the caller's account is a 404.
 */
const ULID = "[0-9A-HJKMNP-TV-Z]{26}";

function idSchema(prefix: string, description: string) {
  return z
    .string()
    .regex(new RegExp(`^${prefix}_${ULID}$`), { message: `must be a ${prefix}_ id` })
    .meta({ description, example: `${prefix}_01JD8Z6V5TQ3R2P1N0M9K8J7H6` });
}

export const WorkspaceId = idSchema("ws", "Workspace id");
export const ProfileId = idSchema("prof", "Profile id");
export const ActorId = idSchema("act", "Actor id: the row linking a profile to a workspace");
export const AuditEventId = idSchema("aud", "Audit event id (time-ordered)");

export const idPrefixes = { workspace: "ws", profile: "prof", actor: "act", account: "acct", audit: "aud" } as const;
