import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A server under test, in a process of its own so that it has a core to itself and its memory shows. */
export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Milliseconds from spawn to its readiness check answering 200. */
  startMs: number;
  /** Largest resident set seen so far, in bytes (the kernel's high-water mark, sampled too). */
  peakRss(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function rssOf(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/**
 * Starts `node <args>` (e.g. `--import tsx src/main.ts`) with `env` and waits until GET <url><readyPath> answers 200,
 * polling every 5 ms: the time to that answer is the cold start.
 */
export async function startServerProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  readyPath = "/readyz",
): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: new URL("../..", import.meta.url).pathname,
    env: { ...process.env, ...env, PORT: String(port), BENCH_PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  let exited = false;
  child.once("exit", () => (exited = true));
  let peak = 0;
  const sample = () => {
    const { rss, hwm } = rssOf(child.pid!);
    peak = Math.max(peak, rss, hwm);
  };
  const sampler = setInterval(sample, 50);

  const deadline = started + 60_000;
  for (;;) {
    if (exited) throw new Error(`${name} exited before it was ready`);
    if (performance.now() > deadline) throw new Error(`${name} was not ready within 60 s`);
    const ok = await fetch(url + readyPath).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startMs = performance.now() - started;
  return {
    name,
    url,
    child,
    startMs,
    peakRss: () => {
      sample();
      return peak;
    },
    stop: async () => {
      sample();
      clearInterval(sampler);
      if (exited) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await gone;
    },
  };
}
