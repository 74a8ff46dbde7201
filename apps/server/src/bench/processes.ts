import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus } from "node:os";

export interface CorePinning {
  server: string;
  load: string;
}

let pinning: CorePinning | undefined;

/**
 * With two cores or more (and Linux's taskset), every server under test runs on core 0 and the load
 * generator (this process, all its threads) on core 1, the same for the floor, bare express and ours:
 * each has a core of its own, instead of the scheduler now and then putting both on one core, which
 * made single figures swing by a third between runs. `BENCH_PIN=0` turns it off. Called by the bench
 * only (the soak shares this module and must not be pinned); undefined when nothing was pinned.
 */
export function pinCores(): CorePinning | undefined {
  if (process.env.BENCH_PIN === "0" || cpus().length < 2) return undefined;
  const pinned = spawnSync("taskset", ["-a", "-cp", "1", String(process.pid)], { stdio: "ignore" });
  pinning = pinned.status === 0 ? { server: "0", load: "1" } : undefined;
  return pinning;
}

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

/**
 * A process's resident memory now (VmRSS) and its high-water mark (VmHWM), in bytes, from
 * /proc/<pid>/status; undefined when it is gone (or this is not Linux). The soak samples it too.
 */
export function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return undefined;
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
  // taskset execs node in place: the child's pid is the server's, for the memory samples below.
  const [command, commandArgs] = pinning
    ? ["taskset", ["-c", pinning.server, process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(command, commandArgs, {
    cwd: new URL("../..", import.meta.url).pathname,
    env: { ...process.env, ...env, PORT: String(port), BENCH_PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  let exited = false;
  child.once("exit", () => (exited = true));
  let peak = 0;
  const sample = () => {
    const { rss, hwm } = memoryOf(child.pid!) ?? { rss: 0, hwm: 0 };
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
