import type { EndpointName, endpoints } from "@workspace-admin/contracts";
import type { Handler } from "./endpoint.ts";
import { auditReads } from "./routers/audit.ts";
import { memberReads } from "./routers/members.ts";
import { profileReads } from "./routers/profiles.ts";
import { workspaceReads } from "./routers/workspaces.ts";

/** The operations answered to GET: the ones the read fast path may serve. */
export type ReadName = { [N in EndpointName]: (typeof endpoints)[N]["method"] extends "GET" ? N : never }[EndpointName];

/**
 * The resolver of every read procedure, by operation: the same functions the routers hand to tRPC, so
 * the read fast path (http/fast-reads.ts) runs exactly what a procedure runs. The type requires one for
 * every GET operation of the contracts' table.
 */
export const reads: { [N in ReadName]: Handler<N> } = { ...workspaceReads, ...memberReads, ...profileReads, ...auditReads };
