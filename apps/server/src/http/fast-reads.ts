import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { endpoints } from "@workspace-admin/contracts";
import { knownCaller } from "../auth/caller.ts";
import { type AppDeps, createContextFactory } from "../trpc/context.ts";
import { type Handler, successStatusOf } from "../trpc/endpoint.ts";
import { scopeOf } from "../trpc/init.ts";
import { type ReadName, reads } from "../trpc/reads.ts";
import { DEFENSIVE_HEADERS } from "./defensive-headers.ts";
import { takeAnswerHeaders } from "./answer-headers.ts";
import { identifyRequest } from "./request-id.ts";

/**
 * The hot path for reads, in front of express. Express's routing and the REST adapter's per-request
 * machinery cost several times what a read does (see BENCHMARKS.md), and so does tRPC's own middleware
 * chain, so a GET of a contract operation, over REST or tRPC, runs its procedure's resolver directly
 * (trpc/reads.ts): the same context, caller resolution, input and output schemas, service and SQL as the
 * procedure. Only the routing, the order of those steps and the writing of the answer are done here.
 *
 * Only success is answered here. Anything else - a path or query it does not recognise with
 * certainty, an error of any kind (401, 400, 404...) - is handed to express untouched, which answers it
 * exactly as before: reads have no side effects, so running one twice is harmless, and every error
 * keeps its one canonical shape, status and log line. Writes never come here.
 */
interface Route {
  name: ReadName;
  /** Literal segments, or null where a `{param}` goes (its name in `params` at the same index). */
  segments: (string | null)[];
  params: (string | null)[];
}

const READS = Object.keys(reads) as ReadName[];

const REST_ROUTES: Route[] = READS.map((name) => {
  const parts = endpoints[name].path.split("/").slice(1);
  return {
    name,
    segments: parts.map((part) => (part.startsWith("{") ? null : part)),
    params: parts.map((part) => (part.startsWith("{") ? part.slice(1, -1) : null)),
  };
});

const TRPC_QUERIES = new Set<string>(READS);
const SAFE_SEGMENT = /^[A-Za-z0-9_-]+$/;
const TRPC_PREFIX = "/trpc/";
/** What the tRPC adapter adds to a query's answer. */
const TRPC_HEADERS = { Vary: "trpc-accept, accept" };

type Input = Record<string, unknown>;

/** The REST operation and its input, exactly as the REST adapter builds it, or null: let express decide. */
function matchRest(pathname: string, search: string): { name: ReadName; input: Input } | null {
  const parts = pathname.split("/").slice(1);
  const route = REST_ROUTES.find(
    (r) => r.segments.length === parts.length && r.segments.every((s, i) => s === null || s === parts[i]),
  );
  if (!route) return null;
  // The adapter: first value of a single-valued key, arrays kept, empty values dropped; path wins.
  const input: Input = {};
  const query = parseQuery(search);
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) return null;
    if (value) input[key] = value;
  }
  for (let i = 0; i < parts.length; i++) {
    const param = route.params[i];
    if (param === null || param === undefined) continue;
    // Encoded or odd characters: the adapter's own decoding rules apply; leave it to express.
    if (!SAFE_SEGMENT.test(parts[i]!)) return null;
    input[param] = parts[i];
  }
  return { name: route.name, input };
}

/** A non-batched tRPC query `?input=<json>` (or no input), or null. */
function matchTrpc(pathname: string, search: string): { name: ReadName; input: unknown } | null {
  const name = pathname.slice(TRPC_PREFIX.length);
  if (!TRPC_QUERIES.has(name)) return null;
  // The typed client's one query parameter, `input=<percent-encoded JSON>`, decoded without the general
  // parser; a `+` (a space in a query string) or anything else takes the general way.
  if (search.startsWith("input=") && !search.includes("&") && !search.includes("+")) {
    try {
      return { name: name as ReadName, input: JSON.parse(decodeURIComponent(search.slice("input=".length))) as unknown };
    } catch {
      return null;
    }
  }
  const query = parseQuery(search);
  const keys = Object.keys(query);
  if (keys.length === 0) return { name: name as ReadName, input: undefined };
  if (keys.length !== 1 || typeof query.input !== "string") return null;
  try {
    return { name: name as ReadName, input: JSON.parse(query.input) as unknown };
  } catch {
    return null;
  }
}

/** The answer in one `writeHead`: the pending headers of the layers in front (answer-headers.ts), then ours. */
function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> | undefined) {
  const list = takeAnswerHeaders(res);
  for (const name in DEFENSIVE_HEADERS) list.push(name, DEFENSIVE_HEADERS[name]!);
  list.push("Content-Type", "application/json", "Content-Length", String(Buffer.byteLength(body)));
  if (headers) for (const name in headers) list.push(name, headers[name]!);
  res.writeHead(status, list);
  res.end(body);
}

/** The server's request listener: the read fast path, then express for everything else. */
export function withFastReads(app: RequestListener, deps: AppDeps): RequestListener {
  const createContext = createContextFactory(deps);

  // What a read procedure does, in tRPC's order (caller, input, resolver, output), without tRPC's
  // middleware chain and caller proxy, which cost more than the read itself. Any failure throws, and the
  // request goes to express, whose tRPC procedure answers it (and logs it) the one canonical way.
  const run = async (req: IncomingMessage, name: ReadName, input: unknown) => {
    const ctx = createContext({ req });
    const identity = knownCaller(req, deps) ?? (await ctx.caller());
    const contract = endpoints[name];
    const parsed = contract.input.safeParse(input);
    if (!parsed.success) throw parsed.error;
    const handler = reads[name] as Handler<ReadName>;
    const data = await handler({ ctx: { ...ctx, scope: scopeOf(ctx, identity) }, input: parsed.data as never });
    const output = contract.output.safeParse(data);
    if (!output.success) throw output.error;
    return { data: output.data, headers: ctx.response.headers };
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, rest: boolean, name: ReadName, input: unknown) => {
    // The access log in front has given the request its id; without it, the same rules apply here.
    identifyRequest(req, res);
    try {
      const { data, headers } = await run(req, name, input);
      if (res.destroyed) return;
      // REST answers carry the headers a procedure chose (ETag), as the adapter's responseMeta does.
      if (rest) send(res, successStatusOf(name), JSON.stringify(data), headers);
      else send(res, 200, JSON.stringify({ result: { data } }), TRPC_HEADERS);
    } catch {
      if (res.headersSent || res.destroyed) return;
      app(req, res);
    }
  };

  return (req, res) => {
    const url = req.url ?? "";
    // A request with an Idempotency-Key goes through the idempotency layer in express.
    if (req.method === "GET" && req.headers["idempotency-key"] === undefined) {
      const q = url.indexOf("?");
      const pathname = q < 0 ? url : url.slice(0, q);
      const search = q < 0 ? "" : url.slice(q + 1);
      if (pathname.startsWith("/v1/")) {
        const match = matchRest(pathname, search);
        if (match) return void serve(req, res, true, match.name, match.input);
      } else if (pathname.startsWith(TRPC_PREFIX)) {
        const match = matchTrpc(pathname, search);
        if (match) return void serve(req, res, false, match.name, match.input);
      }
    }
    app(req, res);
  };
}
