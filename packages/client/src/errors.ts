import { type TRPCLink, TRPCClientError } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import type { ErrorCode, ValidationIssue } from "@workspace-admin/contracts";
import type { AppRouter } from "./router.ts";

/**
 * What every failed call throws: a `TRPCClientError` that also carries the API's error `code`
 * (NOT_FOUND, CONFLICT, ...), the HTTP status and, for invalid input, the validation `issues`.
 * A call that never reached the server (network down) has `code` undefined and the cause attached.
 */
export class WorkspaceAdminError extends TRPCClientError<AppRouter> {
  readonly code: ErrorCode | undefined;
  readonly httpStatus: number | undefined;
  readonly issues: ValidationIssue[] | undefined;

  constructor(error: TRPCClientError<AppRouter>) {
    super(error.message, {
      result: error.shape ? { error: error.shape } : undefined,
      cause: error.cause ?? error,
      meta: error.meta,
    });
    // TRPCClientError resets the prototype to its own; restore ours so `instanceof` works.
    Object.setPrototypeOf(this, WorkspaceAdminError.prototype);
    this.name = "WorkspaceAdminError";
    this.code = error.data?.code as ErrorCode | undefined;
    this.httpStatus = error.data?.httpStatus;
    this.issues = error.data?.issues;
  }
}

/** Turns every error of a call into a `WorkspaceAdminError`. */
export function apiErrorLink(): TRPCLink<AppRouter> {
  return () =>
    ({ next, op }) =>
      observable((observer) =>
        next(op).subscribe({
          next: (value) => observer.next(value),
          error: (error) => observer.error(error instanceof WorkspaceAdminError ? error : new WorkspaceAdminError(error)),
          complete: () => observer.complete(),
        }),
      );
}

/** The API's error code (NOT_FOUND, CONFLICT, ...) carried by a failed call, or undefined for other errors. */
export function apiErrorCode(error: unknown): ErrorCode | undefined {
  if (error instanceof WorkspaceAdminError) return error.code;
  if (error instanceof TRPCClientError) return (error.data as { code?: ErrorCode } | undefined)?.code;
  return undefined;
}

export function isApiError(error: unknown): error is WorkspaceAdminError {
  return error instanceof WorkspaceAdminError;
}
