import { type EndpointName, endpoints } from "@workspace-admin/contracts";

/**
 * How the soak calls the server: any operation of the contract table, over REST (its path, query and
 * body from the table) or over tRPC (`/trpc/<name>`), with the headers the API honors. Every request
 * is timed and counted in `Stats`; answers are normalized so that one check fits both protocols.
 */

export type Protocol = "rest" | "trpc";

export interface CallOptions {
  protocol: Protocol;
  requestId: string;
  idempotencyKey?: string | undefined;
  ifMatch?: string | undefined;
}

export interface Answer {
  op: EndpointName;
  protocol: Protocol;
  /** The `x-request-id` it carried (the audit event of a change records it). */
  requestId: string;
  /** What was sent, for failure messages. */
  request: string;
  status: number;
  /** The result on success: the REST body, or tRPC's `result.data`. */
  data: unknown;
  /** The error as its body states it (REST `{ code, data }`, tRPC `{ error: { data } }`). */
  error: { code: string; httpStatus: number; message: string; hasStack: boolean } | undefined;
  text: string;
  etag: string | null;
  replayed: boolean;
  retryAfter: string | null;
  ms: number;
}

export class NetworkError extends Error {
  override name = "NetworkError";
}

/** The status a successful answer carries: the contract's over REST (201 for creates), always 200 over tRPC. */
export function successStatus(op: EndpointName, protocol: Protocol): number {
  return protocol === "rest" ? endpoints[op].successStatus : 200;
}

/** Counts and latencies per operation, while the clients run. */
export class Stats {
  readonly ops = new Map<string, { latencies: number[]; statuses: Map<number, number> }>();
  readonly protocols: Record<Protocol, number> = { rest: 0, trpc: 0 };
  readonly tags = new Map<string, number>();
  networkErrors = 0;
  serverErrors: string[] = [];

  record(answer: Answer): void {
    let op = this.ops.get(answer.op);
    if (!op) this.ops.set(answer.op, (op = { latencies: [], statuses: new Map() }));
    op.latencies.push(answer.ms);
    op.statuses.set(answer.status, (op.statuses.get(answer.status) ?? 0) + 1);
    this.protocols[answer.protocol]++;
    if (answer.status >= 500) this.serverErrors.push(`${answer.request} -> ${answer.status} ${answer.text.slice(0, 300)}`);
  }

  /** Counts a kind of exchange (idempotent replay, 412, ...) for the figures. */
  tag(name: string, count = 1): void {
    this.tags.set(name, (this.tags.get(name) ?? 0) + count);
  }

  requests(): number {
    let total = 0;
    for (const op of this.ops.values()) total += op.latencies.length;
    return total;
  }
}

export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly stats: Stats | undefined,
  ) {}

  async call(op: EndpointName, input: Record<string, unknown>, options: CallOptions): Promise<Answer> {
    const { method, path, body } = options.protocol === "rest" ? restRequest(op, input) : trpcRequest(op, input);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, "x-request-id": options.requestId };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (options.idempotencyKey !== undefined) headers["idempotency-key"] = options.idempotencyKey;
    if (options.ifMatch !== undefined) headers["if-match"] = options.ifMatch;
    const request = `${options.requestId} ${method} ${path}${body === undefined ? "" : ` ${body.slice(0, 200)}`}` +
      `${options.ifMatch === undefined ? "" : ` If-Match: ${options.ifMatch}`}` +
      `${options.idempotencyKey === undefined ? "" : ` Idempotency-Key: ${options.idempotencyKey}`}`;
    const started = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.baseUrl + path, { method, headers, body, signal: AbortSignal.timeout(30_000) });
      text = await response.text();
    } catch (error) {
      if (this.stats) this.stats.networkErrors++;
      throw new NetworkError(`${request}: ${(error as Error).message} (${String((error as Error).cause ?? "")})`);
    }
    const ms = performance.now() - started;
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const ok = response.status < 300;
    const answer: Answer = {
      op,
      protocol: options.protocol,
      requestId: options.requestId,
      request,
      status: response.status,
      data: ok ? (options.protocol === "trpc" ? (parsed as { result?: { data?: unknown } })?.result?.data : parsed) : undefined,
      error: ok ? undefined : errorOf(options.protocol === "trpc" ? (parsed as { error?: unknown })?.error : parsed),
      text,
      etag: response.headers.get("etag"),
      replayed: response.headers.get("idempotent-replayed") === "true",
      retryAfter: response.headers.get("retry-after"),
      ms,
    };
    this.stats?.record(answer);
    return answer;
  }
}

function errorOf(body: unknown): Answer["error"] {
  const error = body as { message?: unknown; data?: { code?: unknown; httpStatus?: unknown; stack?: unknown } } | undefined;
  return {
    code: String(error?.data?.code ?? "?"),
    httpStatus: Number(error?.data?.httpStatus ?? 0),
    message: String(error?.message ?? ""),
    hasStack: error?.data?.stack !== undefined,
  };
}

/** Path parameters from the input, the rest as the query (GET, DELETE) or the JSON body (POST, PATCH). */
function restRequest(op: EndpointName, input: Record<string, unknown>) {
  const contract = endpoints[op];
  const rest: Record<string, unknown> = { ...input };
  const path = contract.path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = rest[key];
    delete rest[key];
    return encodeURIComponent(String(value));
  });
  if (contract.method === "GET" || contract.method === "DELETE") {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(rest)) if (value !== undefined) query.set(key, String(value));
    const search = query.toString();
    return { method: contract.method, path: search ? `${path}?${search}` : path, body: undefined };
  }
  return { method: contract.method, path, body: JSON.stringify(rest) };
}

/** Queries as `GET /trpc/<name>?input=<json>`, mutations as `POST /trpc/<name>` with the input as the body. */
function trpcRequest(op: EndpointName, input: Record<string, unknown>) {
  if (endpoints[op].method === "GET") {
    return { method: "GET", path: `/trpc/${op}?input=${encodeURIComponent(JSON.stringify(input))}`, body: undefined };
  }
  return { method: "POST", path: `/trpc/${op}`, body: JSON.stringify(input) };
}
