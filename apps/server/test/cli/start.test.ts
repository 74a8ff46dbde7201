import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/index.ts";

const serverDir = join(import.meta.dirname, "..", "..");

describe("npm start", () => {
  it("seeds an empty database and prints its URL, the OpenAPI URL and a token that lists the demo workspaces", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-start-"));
    const database = await createTestDatabase(dataDir);
    const child = spawn(join(serverDir, "node_modules", ".bin", "tsx"), [join(serverDir, "src", "cli", "start.ts")], {
      cwd: serverDir,
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: database.url, PORT: "0", LOG_LEVEL: "silent" },
    });
    try {
      let output = "";
      const banner = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner:\n${output}`)), 30_000);
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (/Try:/.test(output)) {
            clearTimeout(timer);
            resolve(output);
          }
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}:\n${output}`)));
      });
      const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
      expect(url).toBeDefined();
      expect(banner).toContain(`${url}/openapi.json`);
      const token = banner.split("\n").find((line) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(line));
      expect(token).toBeDefined();
      const response = await fetch(`${url}/v1/account/workspaces`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { name: string }[] };
      expect(body.data.map((w) => w.name)).toEqual(expect.arrayContaining(["Engineering", "Design"]));
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
