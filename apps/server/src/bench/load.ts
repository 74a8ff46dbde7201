import type { EventEmitter } from "node:events";
import { Agent, request } from "node:http";
import autocannon from "autocannon";

export interface BenchRequest {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  /** A new body for each request (adds need a new profile each time). */
  body?: () => string;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/** Percentile of sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Throughput under load: autocannon with `connections` keep-alive connections for `seconds`, cycling
 * through `requests`. Latencies are taken from every response at microsecond precision (autocannon's
 * own histogram has whole milliseconds).
 */
export async function runLoad(
  url: string,
  requests: BenchRequest[],
  options: { connections: number; seconds: number },
): Promise<LoadResult> {
  const latencies: number[] = [];
  // Without a callback autocannon returns its tracker: an event emitter that is also a promise.
  const instance = autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    requests: requests.map((r) => ({
      method: r.method,
      path: r.path,
      headers: { ...(r.body ? { "content-type": "application/json" } : {}), ...r.headers },
      ...(r.body ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: r.body!() }) } : {}),
    })),
  }) as unknown as EventEmitter & PromiseLike<autocannon.Result>;
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.total / (result.duration || options.seconds),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** One request at a time (concurrency 1) for `count` requests, cycling through `requests`. */
export async function runSequential(url: string, requests: BenchRequest[], count: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  const latencies: number[] = [];
  let non2xx = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const r = requests[i % requests.length]!;
    const body = r.body?.();
    const t0 = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: r.method,
          path: r.path,
          headers: { ...(body ? { "content-type": "application/json" } : {}), ...r.headers },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    latencies.push(performance.now() - t0);
    if (status < 200 || status >= 300) non2xx++;
  }
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: count / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    requests: count,
    non2xx,
    errors: 0,
  };
}

/** One request, its status and body (to check a scenario answers what it should). */
export async function fetchOnce(url: string, r: BenchRequest): Promise<{ status: number; body: string }> {
  const body = r.body?.();
  const response = await fetch(url + r.path, {
    method: r.method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...r.headers },
    body,
  });
  return { status: response.status, body: await response.text() };
}
