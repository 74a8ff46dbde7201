import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DevKeyPair } from "../../src/auth/dev-keys.ts";
import { signDevToken } from "../../src/auth/tokens.ts";
import { type AuthConfig, loadConfig, type Config } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

export interface TokenOptions {
  org: string;
  user: string;
  role?: string;
  email?: string;
  name?: string;
  expiresInSeconds?: number;
}

/** A dev-mode server: tokens signed by its local key. */
export interface TestServer extends RunningServer {
  config: Config & { auth: Extract<AuthConfig, { mode: "dev" }> };
  devKey: DevKeyPair;
  /** The database of this server (undefined when the caller chose DATABASE_URL). */
  database: TestDatabase | undefined;
  /** A token signed by this server's dev key. */
  token(options: TokenOptions): Promise<string>;
}

/** A WorkOS-mode server: tokens and directory come from (a fake) WorkOS, see `fake-workos.ts`. */
export interface WorkosTestServer extends RunningServer {
  config: Config;
  database: TestDatabase | undefined;
}

export interface TestServerOptions {
  /**
   * Run on this data directory (database file and dev signing key) and leave it in place on close, so
   * that a second server started on it is the first one restarted. The caller removes it. On
   * PostgreSQL the directory names the schema, which is kept too (dropped at the end of the run).
   */
  dataDir?: string;
}

/**
 * The real server, on a loopback port, over a database of its own: a SQLite file in a temporary
 * directory, or with TEST_DATABASE=postgres a fresh PostgreSQL schema, dropped at close.
 * `env` adds or overrides environment variables (DATABASE_URL, ...). Dev mode.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const { running, config, database, close } = await launch(env, options);
  if (config.auth.mode !== "dev" || !running.devKey) {
    await close();
    throw new Error("startTestServer is dev mode; use startWorkosTestServer with WORKOS_* settings");
  }
  const auth = config.auth;
  const devKey = running.devKey;
  return {
    ...running,
    config: { ...config, auth },
    devKey,
    database,
    token: (options) =>
      signDevToken(devKey, {
        issuer: auth.issuer,
        organizationId: options.org,
        userId: options.user,
        role: options.role,
        email: options.email,
        name: options.name,
        expiresInSeconds: options.expiresInSeconds,
      }),
    close,
  };
}

/** The real server in WorkOS mode: `env` carries the WORKOS_* settings (`FakeWorkos.env()`). */
export async function startWorkosTestServer(env: Record<string, string>): Promise<WorkosTestServer> {
  const { running, config, database, close } = await launch(env);
  return { ...running, config, database, close };
}

async function launch(env: Record<string, string>, options: TestServerOptions = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "workspace-admin-test-"));
  const kept = options.dataDir !== undefined;
  const database = env.DATABASE_URL ? undefined : await createTestDatabase(dataDir, undefined, { keep: kept });
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    // Test files make thousands of calls from one address and account; the tests of the limits set them.
    RATE_LIMIT_PER_ACCOUNT: "0",
    RATE_LIMIT_PER_IP: "0",
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...env,
  });
  let running: RunningServer;
  try {
    running = await startServer(config, createLogger(config));
  } catch (error) {
    if (!kept) await database?.drop();
    throw error;
  }
  const close = async () => {
    await running.close();
    if (kept) return;
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { running, config, database, close };
}
