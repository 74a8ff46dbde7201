import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signDevToken } from "../../src/auth/tokens.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { startServer, type RunningServer } from "../../src/server.ts";

export interface TokenOptions {
  org: string;
  user: string;
  role?: string;
  email?: string;
  name?: string;
  expiresInSeconds?: number;
}

export interface TestServer extends RunningServer {
  config: Config;
  /** A token signed by this server's dev key (dev mode only; in WorkOS mode the fake WorkOS signs). */
  token(options: TokenOptions): Promise<string>;
}

/**
 * The real server, on a loopback port, over a database of its own in a temporary directory.
 * `env` adds or overrides environment variables (DATABASE_URL, ...).
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-test-"));
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "silent", ...env });
  const running = await startServer(config, createLogger(config));
  return {
    ...running,
    config,
    token: async (options) => {
      if (config.auth.mode !== "dev" || !running.devKey) throw new Error("WorkOS mode: sign tokens with the fake WorkOS");
      return signDevToken(running.devKey, {
        issuer: config.auth.issuer,
        organizationId: options.org,
        userId: options.user,
        role: options.role,
        email: options.email,
        name: options.name,
        expiresInSeconds: options.expiresInSeconds,
      });
    },
    close: async () => {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
