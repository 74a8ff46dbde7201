import { type EndpointContract, type EndpointName, endpoints, errorHttpStatus } from "@workspace-admin/contracts";
import { z } from "zod";
import { adminProcedure, type ScopedContext } from "./init.ts";

/** What any operation may answer: authentication, body limits and types, rate limits, failures. */
const ALWAYS = {
  401: "Missing or invalid token",
  403: "The admin role is required",
  413: "Body too large",
  415: "Body is not JSON",
  429: "Too many requests",
  500: "Internal error",
  503: "Unavailable",
};
const DESCRIPTIONS: Record<number, string> = {
  400: "Invalid input",
  404: "Not found in this account",
  409: "Conflicts with the current state",
  412: "The If-Match precondition failed",
  422: "Idempotency key reused with a different request",
};

const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .meta({
    description:
      "1-255 characters. A repeat with the same key and the same request within 24 hours answers the first " +
      "answer again (with `Idempotent-Replayed: true`) and changes nothing; the same key with a different " +
      "request is a 422; while the first is still running, a 409.",
  });
const IfMatchHeader = z
  .string()
  .optional()
  .meta({ description: 'The ETag of the last read, e.g. "3". If the resource has changed since: 412, and nothing changes.' });
const ETagHeader = z.string().meta({ description: "The resource's version, quoted: a strong entity tag" });

/** The headers an operation reads and answers, for the OpenAPI document (the server honors them elsewhere). */
function headersOf(contract: EndpointContract) {
  const request: Record<string, z.ZodType> = {};
  if (contract.method !== "GET") request["Idempotency-Key"] = IdempotencyKeyHeader;
  if (contract.ifMatch) request["If-Match"] = IfMatchHeader;
  return {
    ...(Object.keys(request).length > 0 ? { requestHeaders: z.object(request) } : {}),
    ...(contract.etag ? { responseHeaders: z.object({ ETag: ETagHeader }) } : {}),
  };
}

/**
 * The procedure builder for one operation of the contract table: its REST route, its input and output
 * schemas, and its documented errors all come from `endpoints[name]`, so each is written once.
 */
export function endpoint<N extends EndpointName>(name: N) {
  const contract: EndpointContract = endpoints[name];
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
        ...headersOf(contract),
      },
    })
    .input(contract.input as (typeof endpoints)[N]["input"])
    .output(contract.output as (typeof endpoints)[N]["output"]);
}

/**
 * What one operation does once its caller is known and its input parsed: the resolver of its procedure.
 * Written as a function of its own (see reads.ts) so that the read fast path runs exactly what tRPC runs.
 */
export type Handler<N extends EndpointName> = (options: {
  ctx: ScopedContext;
  input: z.output<(typeof endpoints)[N]["input"]>;
}) => Promise<z.input<(typeof endpoints)[N]["output"]>>;

/** REST success status of a procedure path (201 for creates), from the contract table. */
export function successStatusOf(path: string | undefined): number {
  if (path && path in endpoints) return endpoints[path as EndpointName].successStatus;
  return 200;
}

export { errorHttpStatus };
