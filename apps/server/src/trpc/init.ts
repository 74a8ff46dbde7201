/**
 * tRPC, in three parts: 1. initialization (error shape), 2. middleware (error mapping, authentication),
 * 3. the procedure builders every router uses.
 */
import { initTRPC } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { ResolvedIdentity } from "../services/identity.ts";
import type { AccountScope } from "../services/scope.ts";
import type { RequestContext } from "./context.ts";
import { toTRPCError, validationIssues } from "./errors.ts";

// 1. Initialization ---------------------------------------------------------------------------------

const t = initTRPC
  .context<RequestContext>()
  .meta<OpenApiMeta>()
  .create({
    // Never a stack trace in an answer.
    isDev: false,
    errorFormatter({ shape, error }) {
      const issues = error.code === "BAD_REQUEST" ? validationIssues(error.cause) : undefined;
      const message =
        error.code === "INTERNAL_SERVER_ERROR"
          ? "Internal server error"
          : issues
            ? `Input validation failed: ${issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ")}`
            : shape.message;
      return {
        message,
        code: shape.code,
        data: { code: error.code, httpStatus: shape.data.httpStatus, ...(issues ? { issues } : {}) },
      };
    },
  });

export const router = t.router;

// 2. Middleware -------------------------------------------------------------------------------------

/** Turns domain and unknown errors into API errors, once, for every procedure. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

/** The context a procedure's resolver sees once its caller is known: the request's, plus the scope. */
export type ScopedContext = RequestContext & { scope: AccountScope };

/** The scope every service call of one request receives: the caller's account, from the verified token. */
export function scopeOf(ctx: RequestContext, identity: ResolvedIdentity): AccountScope {
  return { db: ctx.deps.db, accountId: identity.accountId, actorProfileId: identity.profileId, requestId: ctx.requestId };
}

/**
 * Resolves who is calling, once per request (see auth/caller.ts): 401 without a valid token, 403 without
 * the admin role, then the scope every service call receives.
 */
const requireAdmin = t.middleware(async ({ ctx, next }) => {
  const identity = await ctx.caller().catch((error: unknown) => {
    throw toTRPCError(error);
  });
  return next({ ctx: { scope: scopeOf(ctx, identity) } });
});

// 3. Procedures -------------------------------------------------------------------------------------

export const publicProcedure = t.procedure.use(mapErrors);
export const adminProcedure = publicProcedure.use(requireAdmin);
