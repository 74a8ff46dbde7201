import {
  archiveWorkspace,
  createWorkspace,
  getWorkspace,
  listWorkspaces,
  updateWorkspace,
} from "../../services/workspaces.ts";
import { endpoint } from "../endpoint.ts";
import { router } from "../init.ts";

export const workspacesRouter = router({
  list: endpoint("workspaces.list").query(({ ctx, input }) => listWorkspaces(ctx.scope, input)),
  create: endpoint("workspaces.create").mutation(({ ctx, input }) => createWorkspace(ctx.scope, input)),
  get: endpoint("workspaces.get").query(({ ctx, input }) => getWorkspace(ctx.scope, input)),
  update: endpoint("workspaces.update").mutation(({ ctx, input }) => updateWorkspace(ctx.scope, input)),
  archive: endpoint("workspaces.archive").mutation(({ ctx, input }) => archiveWorkspace(ctx.scope, input)),
});
