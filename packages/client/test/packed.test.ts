import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, startTestServer, type TestAccount, type TestServer } from "@workspace-admin/server/testing";

// The client as another repository gets it: `pnpm pack` tarballs of contracts and client, installed with
// npm into a project outside the monorepo, type-checked with a plain strict tsconfig, and run.
const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "../..");
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const pnpm = ["-y", "pnpm@10.34.9"];
const execFileAsync = promisify(execFile);

let server: TestServer;
let account: TestAccount;
let project: string;

function run(command: string, args: string[], cwd: string) {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" }, timeout: 240_000 });
}

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
  project = mkdtempSync(join(tmpdir(), "workspace-admin-consumer-"));
  const packs = join(project, "packs");
  // Both at once: each pack builds its dist/ first (prepack), which is most of the time.
  await Promise.all(
    ["contracts", "client"].map((name) => execFileAsync("npx", [...pnpm, "pack", "--pack-destination", packs], { cwd: join(packagesDir, name) })),
  );
  const tarballs = readdirSync(packs).map((file) => join(packs, file));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, outDir: "out", types: [], lib: ["ES2023", "ESNext.Disposable", "DOM"] },
    }),
  );
  const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs], project);
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.stderr}`);
}, 300_000);

afterAll(async () => {
  await server?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

const correctCall = `
import { createWorkspaceAdminClient, CreateWorkspaceInput, WorkspaceAdminError, type OperationOutput, type Workspace } from "@workspace-admin/client";

declare const process: { env: Record<string, string | undefined> };
const client = createWorkspaceAdminClient({ url: process.env.API_URL!, token: process.env.API_TOKEN! });
const input = CreateWorkspaceInput.parse({ name: "  From a tarball  " });
const created: Workspace = await client.workspaces.create.mutate(input);
const page: OperationOutput<"workspaces.list"> = await client.workspaces.list.query({ limit: 100 });
const duplicate = await client.workspaces.create.mutate({ name: "from a tarball" }).catch((error: unknown) => error);
const code = duplicate instanceof WorkspaceAdminError ? duplicate.code : "not a WorkspaceAdminError";
console.log(JSON.stringify({ created, listed: page.data.map((w) => w.id), code }));
`;

const wrongCall = `
import { createWorkspaceAdminClient } from "@workspace-admin/client";
const client = createWorkspaceAdminClient({ url: "http://127.0.0.1:1", token: "t" });
await client.workspaces.create.mutate({ title: "no such field" });
await client.members.add.mutate({ workspaceId: "ws_1" });
`;

/** One tsc run over both files (tsc is the slow part): its diagnostics, by file. */
let diagnostics: string;
let tscStatus: number | null;

describe("the packed client in a project outside the monorepo", () => {
  beforeAll(() => {
    writeFileSync(join(project, "call.ts"), correctCall);
    writeFileSync(join(project, "wrong.ts"), wrongCall);
    const checked = run(process.execPath, [tsc, "-p", "tsconfig.json"], project);
    diagnostics = checked.stdout + checked.stderr;
    tscStatus = checked.status;
  }, 120_000);

  it("type-checks a correct call, then runs it against a live server", async () => {
    const erroneousFiles = [...diagnostics.matchAll(/^(\S+)\(\d+,\d+\): error/gm)].map((match) => match[1]);
    expect(erroneousFiles.filter((file) => file !== "wrong.ts")).toEqual([]);
    expect(erroneousFiles).toContain("wrong.ts");
    // Asynchronously: the server answering the call lives in this process.
    const ran = await execFileAsync(process.execPath, [join(project, "out", "call.js")], {
      cwd: project,
      encoding: "utf8",
      env: { ...process.env, API_URL: server.url, API_TOKEN: account.token },
      timeout: 30_000,
    });
    expect(ran.stderr).toBe("");
    const result = JSON.parse(ran.stdout);
    expect(result.created).toMatchObject({ name: "From a tarball", archivedAt: null });
    expect(result.listed).toContain(result.created.id);
    expect(result.code).toBe("CONFLICT");
  });

  it("fails to type-check a wrong call", () => {
    expect(tscStatus).not.toBe(0);
    expect(diagnostics).toContain("wrong.ts(4,");
    expect(diagnostics).toContain("'title' does not exist");
    expect(diagnostics).toContain("wrong.ts(5,");
    expect(diagnostics).toContain("profileId");
  });
});
