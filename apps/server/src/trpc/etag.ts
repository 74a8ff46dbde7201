import { TRPCError } from "@trpc/server";
import { entityTag } from "@workspace-admin/contracts";
import type { VersionPrecondition } from "../services/preconditions.ts";
import type { RequestContext } from "./context.ts";

/** Puts the resource's ETag (`entityTag`: its version in quotes) on the REST answer. */
export function answerETag(ctx: RequestContext, resource: { version: number }): void {
  ctx.response.headers = { ...ctx.response.headers, ETag: entityTag(resource) };
}

const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"$/;

/**
 * `If-Match` (RFC 9110 §13.1.1): `*`, or a comma-separated list of entity tags compared strongly, so a
 * weak tag (`W/"3"`) or a tag we never issued matches no version. Absent: no precondition. A header
 * that is not a list of entity tags is a 400.
 */
export function parseIfMatch(header: string | undefined): VersionPrecondition | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === "*") return { anyVersion: true };
  const versions: number[] = [];
  for (const part of value.split(",")) {
    const tag = ENTITY_TAG.exec(part.trim());
    if (!tag) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: 'If-Match must be * or a list of entity tags, e.g. If-Match: "3" (the ETag of the last read)',
      });
    }
    if (!tag[1] && /^[1-9][0-9]{0,9}$/.test(tag[2]!)) versions.push(Number(tag[2]));
  }
  return { versions };
}
