import type { ErrorCode } from "@workspace-admin/contracts";

type DomainErrorCode = Extract<
  ErrorCode,
  "BAD_REQUEST" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "PRECONDITION_FAILED" | "UNPROCESSABLE_CONTENT"
>;

/**
 * A rule of the domain said no. Services throw only these (or let unknown errors escape); the tRPC
 * layer maps them onto API errors in one place. Messages are safe to show to the caller.
 */
export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);
export const conflict = (message: string) => new DomainError("CONFLICT", message);
export const invalid = (message: string) => new DomainError("BAD_REQUEST", message);
