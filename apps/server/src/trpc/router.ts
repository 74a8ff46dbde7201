import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { router } from "./init.ts";
import { auditRouter } from "./routers/audit.ts";
import { membersRouter } from "./routers/members.ts";
import { profilesRouter } from "./routers/profiles.ts";
import { workspacesRouter } from "./routers/workspaces.ts";

/** Procedure paths equal the keys of the contracts' `endpoints` table (a test holds them together). */
export const appRouter = router({
  workspaces: workspacesRouter,
  members: membersRouter,
  profiles: profilesRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
