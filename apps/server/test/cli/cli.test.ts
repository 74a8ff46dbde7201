import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { loadConfig } from "../../src/config.ts";
import { Database } from "../../src/db/database.ts";
import { createTestDatabase } from "../support/index.ts";

const run = promisify(execFile);
const serverDir = join(import.meta.dirname, "..", "..");
const dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-cli-"));
// A database of this file's own (SQLite file, or a PostgreSQL schema under `npm run test:pg`).
const database = await createTestDatabase(dataDir);
const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: database.url, LOG_LEVEL: "silent" };
afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs a CLI entry the way `npm run <script>` does (tsx on the source). */
function cli(script: string, args: string[] = []) {
  return run(join(serverDir, "node_modules", ".bin", "tsx"), [join(serverDir, "src", "cli", script), ...args], { cwd: serverDir, env });
}

async function counts() {
  const db = await Database.open(loadConfig(env).database);
  try {
    return await db.read(async (m) => {
      const [row] = await m.query(
        "SELECT (SELECT COUNT(*) FROM accounts) AS accounts, (SELECT COUNT(*) FROM profiles) AS profiles, " +
          "(SELECT COUNT(*) FROM workspaces) AS workspaces, (SELECT COUNT(*) FROM workspace_members) AS members",
      );
      return row as Record<string, number>;
    });
  } finally {
    await db.close();
  }
}

describe("npm run token", () => {
  it("prints one JWT and nothing else, with the requested claims", async () => {
    const { stdout } = await cli("token.ts", ["--org", "org_cli", "--user", "user_cli", "--role", "member", "--email", "c@x.test", "--name", "Cli", "--expires-in", "120"]);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = decodeJwt(stdout.trim());
    expect(claims).toMatchObject({ org_id: "org_cli", sub: "user_cli", role: "member", email: "c@x.test", name: "Cli" });
    expect(claims.exp! - claims.iat!).toBe(120);
  });

  it("fails with usage when --org or --user is missing", async () => {
    await expect(cli("token.ts", ["--org", "only"])).rejects.toMatchObject({ code: 2 });
  });
});

describe("npm run seed", () => {
  it("fills org_demo, and a second run changes nothing", async () => {
    await cli("seed.ts");
    const first = await counts();
    expect(Number(first.accounts)).toBe(1);
    expect(Number(first.profiles)).toBeGreaterThanOrEqual(30);
    expect(Number(first.workspaces)).toBeGreaterThanOrEqual(3);
    expect(Number(first.members)).toBeGreaterThan(10);
    await cli("seed.ts");
    expect(await counts()).toEqual(first);
  });
});
