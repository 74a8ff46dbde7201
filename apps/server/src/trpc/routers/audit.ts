import { listAuditEvents } from "../../services/audit.ts";
import { endpoint } from "../endpoint.ts";
import { router } from "../init.ts";

export const auditRouter = router({
  list: endpoint("audit.list").query(({ ctx, input }) => listAuditEvents(ctx.scope, input)),
});
