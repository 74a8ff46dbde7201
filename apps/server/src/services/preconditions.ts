import { DomainError } from "./errors.ts";

/**
 * What an `If-Match` header asks of a versioned resource: that it exists in any version (`*`), or that
 * its current version is one of these. Parsed from the header by the API layer; checked by the service
 * inside the write unit, after the row is locked, so that nothing can change between check and write.
 */
export type VersionPrecondition = { anyVersion: true } | { versions: readonly number[] };

export interface WriteOptions {
  ifMatch?: VersionPrecondition | undefined;
}

export function checkVersion(precondition: VersionPrecondition | undefined, current: number): void {
  if (!precondition || "anyVersion" in precondition) return;
  if (precondition.versions.includes(current)) return;
  throw new DomainError(
    "PRECONDITION_FAILED",
    `The workspace has changed since it was read: If-Match does not match its current ETag "${current}"`,
  );
}
