import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { InvalidTokenError, KeySourceUnavailableError } from "../auth/verify-token.ts";
import { isDatabaseUnavailable } from "../db/errors.ts";
import { DomainError } from "../services/errors.ts";

/**
 * The one mapping from what went wrong inside to what the caller is told. Domain errors keep their
 * code and message; authentication problems are 401/503; an unreachable database is a generic 503
 * (the request may be retried); anything unknown becomes a generic 500 whose
 * cause is logged by the server and never sent.
 */
export function toTRPCError(error: unknown): TRPCError {
  const cause = error instanceof TRPCError && error.cause ? error.cause : error;
  if (cause instanceof DomainError) return new TRPCError({ code: cause.code, message: cause.message });
  if (cause instanceof InvalidTokenError) return new TRPCError({ code: "UNAUTHORIZED", message: cause.message });
  if (cause instanceof KeySourceUnavailableError) {
    return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Token verification is unavailable; retry later" });
  }
  if (isDatabaseUnavailable(cause)) {
    return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNAVAILABLE_MESSAGE, cause });
  }
  if (error instanceof TRPCError) return error;
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error", cause: error });
}

/** Says what to do, never why: driver messages can hold SQL, host names and user names. */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable; retry later";

export interface ValidationIssueView {
  path: (string | number)[];
  message: string;
  code: string;
}

export function validationIssues(error: unknown): ValidationIssueView[] | undefined {
  if (!(error instanceof ZodError)) return undefined;
  return error.issues.map((issue) => ({
    path: issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment)),
    message: issue.message,
    code: issue.code,
  }));
}
