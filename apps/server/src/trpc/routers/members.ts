import {
  addWorkspaceMember,
  getWorkspaceMember,
  listWorkspaceMembers,
  removeWorkspaceMember,
} from "../../services/members.ts";
import { endpoint } from "../endpoint.ts";
import { router } from "../init.ts";

export const membersRouter = router({
  list: endpoint("members.list").query(({ ctx, input }) => listWorkspaceMembers(ctx.scope, input)),
  get: endpoint("members.get").query(({ ctx, input }) => getWorkspaceMember(ctx.scope, input)),
  add: endpoint("members.add").mutation(({ ctx, input }) => addWorkspaceMember(ctx.scope, input)),
  remove: endpoint("members.remove").mutation(({ ctx, input }) => removeWorkspaceMember(ctx.scope, input)),
});
