import {
  archiveWorkspace,
  createWorkspace,
  getWorkspace,
  listWorkspaces,
  updateWorkspace,
} from "../../services/workspaces.ts";
import { endpoint } from "../endpoint.ts";
import { answerETag, parseIfMatch } from "../etag.ts";
import { router } from "../init.ts";

export const workspacesRouter = router({
  list: endpoint("workspaces.list").query(({ ctx, input }) => listWorkspaces(ctx.scope, input)),
  create: endpoint("workspaces.create").mutation(async ({ ctx, input }) => {
    const workspace = await createWorkspace(ctx.scope, input);
    answerETag(ctx, workspace);
    return workspace;
  }),
  get: endpoint("workspaces.get").query(async ({ ctx, input }) => {
    const workspace = await getWorkspace(ctx.scope, input);
    answerETag(ctx, workspace);
    return workspace;
  }),
  update: endpoint("workspaces.update").mutation(async ({ ctx, input }) => {
    const workspace = await updateWorkspace(ctx.scope, input, { ifMatch: parseIfMatch(ctx.ifMatch) });
    answerETag(ctx, workspace);
    return workspace;
  }),
  archive: endpoint("workspaces.archive").mutation(async ({ ctx, input }) => {
    const workspace = await archiveWorkspace(ctx.scope, input, { ifMatch: parseIfMatch(ctx.ifMatch) });
    answerETag(ctx, workspace);
    return workspace;
  }),
});
