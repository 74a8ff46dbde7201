import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { FakeWorkos } from "../support/fake-workos.ts";
import { createTestDatabase } from "../support/index.ts";

const run = promisify(execFile);
const serverDir = resolve(import.meta.dirname, "../..");
const tsx = join(serverDir, "node_modules/.bin/tsx");

/** Runs a CLI entry with exactly `env` (plus PATH), never the caller's environment. */
async function cli(entry: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(tsx, [entry], {
      cwd: serverDir,
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "silent", ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("configuration", () => {
  it("uses dev mode when WorkOS is not configured outside production", () => {
    const config = loadConfig({ NODE_ENV: "development" });
    expect(config.auth.mode).toBe("dev");
    expect(config.workos).toBeUndefined();
  });

  it("refuses production without WorkOS, saying what to set", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/WORKOS_CLIENT_ID.*WORKOS_API_KEY/);
    expect(() => loadConfig({ NODE_ENV: "production", WORKOS_CLIENT_ID: "client_1" })).toThrow(/WORKOS_API_KEY/);
  });

  it("in WorkOS mode defaults the JWKS to WorkOS and accepts both WorkOS issuers", () => {
    const config = loadConfig({ NODE_ENV: "production", WORKOS_CLIENT_ID: "client_123", WORKOS_API_KEY: "sk_live_x" });
    expect(config.auth).toMatchObject({
      mode: "workos",
      clientId: "client_123",
      jwksUrl: "https://api.workos.com/sso/jwks/client_123",
      issuers: ["https://api.workos.com", "https://api.workos.com/user_management/client_123"],
    });
    expect(config.workos).toMatchObject({ apiUrl: "https://api.workos.com", syncIntervalSeconds: 60, webhookSecret: undefined });
  });

  it("takes the JWKS address and the issuer list from the environment", () => {
    const config = loadConfig({
      WORKOS_CLIENT_ID: "client_123",
      WORKOS_JWKS_URL: "https://auth.example.com/jwks",
      WORKOS_ISSUERS: " https://auth.example.com , https://api.workos.com ",
    });
    expect(config.auth).toMatchObject({
      jwksUrl: "https://auth.example.com/jwks",
      issuers: ["https://auth.example.com", "https://api.workos.com"],
    });
    // Verification alone needs no API key; sync does.
    expect(config.workos).toBeUndefined();
  });

  it("rejects half a WorkOS setup", () => {
    expect(() => loadConfig({ WORKOS_API_KEY: "sk_test_x" })).toThrow(/WORKOS_CLIENT_ID/);
    expect(() => loadConfig({ WORKOS_CLIENT_ID: "client_1", WORKOS_WEBHOOK_SECRET: "s" })).toThrow(/WORKOS_API_KEY/);
    expect(() => loadConfig({ WORKOS_CLIENT_ID: "client_1", WORKOS_SYNC_INTERVAL_SECONDS: "-1" })).toThrow(ConfigError);
  });
});

describe("processes", () => {
  let workos: FakeWorkos;
  let dir: string;
  beforeAll(async () => {
    workos = await FakeWorkos.start();
    dir = mkdtempSync(join(tmpdir(), "workos-cli-"));
  });
  afterAll(async () => {
    await workos?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the server refuses to start in production without WorkOS, and creates no dev key", async () => {
    const dataDir = join(dir, "refused");
    const result = await cli("src/main.ts", { NODE_ENV: "production", DATA_DIR: dataDir, PORT: "0" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("set WORKOS_CLIENT_ID");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
  });

  it("npm run sync runs one pass from the stored cursor and reports it", async () => {
    const org = "org_cli";
    workos.person(org, { email: "cli.one@acme.test", firstName: "Cli" });
    workos.person(org, { email: "cli.two@acme.test", firstName: "Two" });
    const database = await createTestDatabase(dir);
    const env = { ...workos.env(), DATABASE_URL: database.url, DATA_DIR: dir };

    const first = await cli("src/cli/sync.ts", env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/4 events applied/);
    const second = await cli("src/cli/sync.ts", env);
    expect(second.stdout).toMatch(/0 events applied/);

    try {
      const rows = await database.query("SELECT email FROM profiles ORDER BY email");
      expect(rows).toEqual([{ email: "cli.one@acme.test" }, { email: "cli.two@acme.test" }]);
    } finally {
      await database.drop();
    }
    // Two CLI processes (tsx) one after the other: slow when the machine is busy.
  }, 120_000);

  it("npm run sync without WorkOS settings says what to set", async () => {
    const result = await cli("src/cli/sync.ts", { DATA_DIR: join(dir, "plain") });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("WORKOS_CLIENT_ID and WORKOS_API_KEY");
  });
});
