import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { freePort } from "../bench/processes.ts";

/** The server package's root, where `src/main.ts` runs from. */
export const SERVER_ROOT = resolve(import.meta.dirname, "../..");

export interface SoakServer {
  url: string;
  pid: number;
  child: ChildProcess;
  /** The last lines it printed (warnings and errors: it logs at `warn`). */
  output(): string;
  /** SIGTERM, then waits for it to exit (SIGKILL after `timeoutMs`); resolves to the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

const KEPT_LINES = 200;

/**
 * `src/main.ts` in a process of its own (under tsx, as `npm start` runs it), dev auth mode, on the
 * database `env` names, with its V8 heap capped at `heapLimitMb` as a deployment caps it (see
 * `SoakOptions.heapLimitMb` for why the soak needs that to judge memory). It logs at `warn` (no access
 * log filling its memory or our pipe), rate limits are
 * off (the soak is one address and one account by design), and WorkOS settings of the caller's
 * environment are not passed on. Ready when `/readyz` answers 200.
 */
export async function startSoakServer(
  env: Record<string, string>,
  options: { heapLimitMb: number; timeoutMs?: number },
): Promise<SoakServer> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("WORKOS_")));
  const child = spawn(process.execPath, [`--max-old-space-size=${options.heapLimitMb}`, "--import", "tsx", "src/main.ts"], {
    cwd: SERVER_ROOT,
    env: {
      ...inherited,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      RATE_LIMIT_PER_ACCOUNT: "0",
      RATE_LIMIT_PER_IP: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let partial = "";
  const keep = (chunk: Buffer) => {
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts.filter(Boolean));
    if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const output = () => [...lines, partial].filter(Boolean).join("\n");
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((done) =>
    child.once("exit", (code, signal) => {
      exitCode = code ?? (signal ? null : code);
      done(exitCode);
    }),
  );

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the server exited with ${exitCode} before it was ready:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the server was not ready within ${timeoutMs} ms:\n${output()}`);
    }
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    await new Promise((done) => setTimeout(done, 50));
  }

  return {
    url,
    pid: child.pid!,
    child,
    output,
    stop: async (stopTimeoutMs = 20_000) => {
      if (exitCode !== undefined) return exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), stopTimeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
