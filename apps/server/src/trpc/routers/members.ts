import {
  addWorkspaceMember,
  getWorkspaceMember,
  listWorkspaceMembers,
  removeWorkspaceMember,
} from "../../services/members.ts";
import { endpoint, type Handler } from "../endpoint.ts";
import { router } from "../init.ts";

/** The reads, also run by the read fast path (see ../reads.ts). */
export const memberReads: { "members.list": Handler<"members.list">; "members.get": Handler<"members.get"> } = {
  "members.list": ({ ctx, input }) => listWorkspaceMembers(ctx.scope, input),
  "members.get": ({ ctx, input }) => getWorkspaceMember(ctx.scope, input),
};

export const membersRouter = router({
  list: endpoint("members.list").query(memberReads["members.list"]),
  get: endpoint("members.get").query(memberReads["members.get"]),
  add: endpoint("members.add").mutation(({ ctx, input }) => addWorkspaceMember(ctx.scope, input)),
  remove: endpoint("members.remove").mutation(({ ctx, input }) => removeWorkspaceMember(ctx.scope, input)),
});
