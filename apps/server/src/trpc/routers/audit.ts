import { listAuditEvents } from "../../services/audit.ts";
import { endpoint, type Handler } from "../endpoint.ts";
import { router } from "../init.ts";

/** The reads, also run by the read fast path (see ../reads.ts). */
export const auditReads: { "audit.list": Handler<"audit.list"> } = {
  "audit.list": ({ ctx, input }) => listAuditEvents(ctx.scope, input),
};

export const auditRouter = router({
  list: endpoint("audit.list").query(auditReads["audit.list"]),
});
