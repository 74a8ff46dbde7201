import { type EndpointName, endpoints, errorHttpStatus } from "@workspace-admin/contracts";
import { adminProcedure } from "./init.ts";

const ALWAYS = { 401: "Missing or invalid token", 403: "The admin role is required", 500: "Internal error" };
const DESCRIPTIONS: Record<number, string> = {
  400: "Invalid input",
  404: "Not found in this account",
  409: "Conflicts with the current state",
  412: "The If-Match precondition failed",
  413: "Body too large",
  415: "Body is not JSON",
  422: "Idempotency key reused with a different request",
};

/**
 * The procedure builder for one operation of the contract table: its REST route, its input and output
 * schemas, and its documented errors all come from `endpoints[name]`, so each is written once.
 */
export function endpoint<N extends EndpointName>(name: N) {
  const contract = endpoints[name];
  const errorResponses: Record<number, string> = { ...ALWAYS };
  for (const status of contract.errors) errorResponses[status] = DESCRIPTIONS[status] ?? "Error";
  return adminProcedure
    .meta({
      openapi: {
        method: contract.method,
        path: contract.path,
        summary: contract.summary,
        tags: [contract.tag],
        protect: true,
        operationId: name.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase()),
        errorResponses,
      },
    })
    .input(contract.input as (typeof endpoints)[N]["input"])
    .output(contract.output as (typeof endpoints)[N]["output"]);
}

/** REST success status of a procedure path (201 for creates), from the contract table. */
export function successStatusOf(path: string | undefined): number {
  if (path && path in endpoints) return endpoints[path as EndpointName].successStatus;
  return 200;
}

export { errorHttpStatus };
