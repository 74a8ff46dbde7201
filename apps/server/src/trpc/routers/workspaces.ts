import {
  archiveWorkspace,
  createWorkspace,
  getWorkspace,
  listWorkspaces,
  updateWorkspace,
} from "../../services/workspaces.ts";
import { endpoint, type Handler } from "../endpoint.ts";
import { answerETag, parseIfMatch } from "../etag.ts";
import { router } from "../init.ts";

/** The reads, also run by the read fast path (see ../reads.ts). */
export const workspaceReads: { "workspaces.list": Handler<"workspaces.list">; "workspaces.get": Handler<"workspaces.get"> } = {
  "workspaces.list": ({ ctx, input }) => listWorkspaces(ctx.scope, input),
  "workspaces.get": async ({ ctx, input }) => {
    const workspace = await getWorkspace(ctx.scope, input);
    answerETag(ctx, workspace);
    return workspace;
  },
};

export const workspacesRouter = router({
  list: endpoint("workspaces.list").query(workspaceReads["workspaces.list"]),
  create: endpoint("workspaces.create").mutation(async ({ ctx, input }) => {
    const workspace = await createWorkspace(ctx.scope, input);
    answerETag(ctx, workspace);
    return workspace;
  }),
  get: endpoint("workspaces.get").query(workspaceReads["workspaces.get"]),
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
