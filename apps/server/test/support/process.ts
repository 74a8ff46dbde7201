import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The server package's root: where `src/main.ts` runs from. */
export const serverRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** A real server process (`src/main.ts`), as production runs it. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far: its JSON log lines. */
  output(): string;
  /** SIGTERM, then waits for the exit; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `src/main.ts` under tsx with the given environment (PORT=0 picks a free port) and resolves once
 * its "listening" log line names the URL. Fails if it exits first or is not listening within `timeoutMs`.
 */
export function spawnServer(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverRoot,
    env: { ...process.env, NODE_ENV: "test", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info",
      RATE_LIMIT_PER_ACCOUNT: "0", RATE_LIMIT_PER_IP: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split("\n")) {
        const url = listeningUrl(line);
        if (!url) continue;
        clearTimeout(timer);
        resolve({
          url,
          child,
          output: () => output,
          stop: async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            return exited;
          },
        });
        return;
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}

function listeningUrl(line: string): string | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: string; url?: string };
    return entry.msg === "listening" ? entry.url : undefined;
  } catch {
    return undefined;
  }
}
