import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpoints } from "@workspace-admin/client";
import { createAccount, createProfile, createWorkspace, MISSING_WORKSPACE_ID, startTestServer, type TestAccount, type TestServer } from "@workspace-admin/server/testing";
import { helpText, run } from "../src/run.ts";

const bin = join(dirname(fileURLToPath(import.meta.url)), "../bin/workspace-admin.js");
const execFileAsync = promisify(execFile);

let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
});
afterAll(() => server?.close());

/** Runs one command line in-process against the test server, capturing its output. */
async function cli(args: string[], env: Record<string, string | undefined> = { WORKSPACE_ADMIN_URL: server.url, WORKSPACE_ADMIN_TOKEN: account.token }) {
  let stdout = "";
  let stderr = "";
  const code = await run(args, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const json = async (args: string[]) => {
  const result = await cli([...args, "--json"]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
};

describe("workspace-admin workspaces", () => {
  it("creates, gets, renames, lists and archives, as tables for people", async () => {
    const created = await cli(["workspaces", "create", "CLI team", "--description", "Made at a terminal"]);
    expect(created.code).toBe(0);
    const [header, row] = created.stdout.trim().split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+DESCRIPTION\s+ARCHIVEDAT\s+CREATEDAT/);
    expect(row).toContain("CLI team");
    expect(row).toContain("Made at a terminal");
    const id = /ws_[0-9A-Z]{26}/.exec(row!)![0];

    expect((await cli(["workspaces", "get", id])).stdout).toContain("CLI team");
    const renamed = await cli(["workspaces", "rename", id, "CLI squad"]);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toContain("CLI squad");
    expect((await cli(["workspaces", "list"])).stdout).toContain("CLI squad");

    const archived = await json(["workspaces", "archive", id]);
    expect(archived.archivedAt).not.toBeNull();
    expect((await json(["workspaces", "list"])).data.map((w: { id: string }) => w.id)).not.toContain(id);
    expect((await json(["workspaces", "list", "--include-archived"])).data.map((w: { id: string }) => w.id)).toContain(id);
  });

  it("prints the API's JSON with --json", async () => {
    const workspace = await json(["workspaces", "create", "  Scripted  "]);
    expect(workspace).toMatchObject({ name: "Scripted", description: null, archivedAt: null });
    expect(await json(["workspaces", "get", workspace.id])).toEqual(workspace);
  });

  it("fetches every page with --all, reporting progress on stderr", async () => {
    const paged = await createAccount(server);
    for (let i = 0; i < 5; i++) await createWorkspace(paged, `Page item ${i}`);
    const env = { WORKSPACE_ADMIN_URL: server.url, WORKSPACE_ADMIN_TOKEN: paged.token };
    const onePage = await cli(["workspaces", "list", "--limit", "2", "--json"], env);
    expect(JSON.parse(onePage.stdout).data).toHaveLength(2);

    const all = await cli(["workspaces", "list", "--limit", "2", "--all", "--json"], env);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).data.map((w: { name: string }) => w.name)).toEqual([0, 1, 2, 3, 4].map((i) => `Page item ${i}`));
    expect(all.stderr.trim().split("\n")).toEqual([
      "Fetched 2 workspaces (page 1, more to come)",
      "Fetched 4 workspaces (page 2, more to come)",
      "Fetched 5 workspaces (page 3, done)",
    ]);

    const table = await cli(["workspaces", "list", "--limit", "2"], env);
    expect(table.stdout.trim().split("\n")).toHaveLength(3);
    expect(table.stderr).toMatch(/^More results: add --cursor \S+, or --all for every page\n$/);
  });
});

describe("workspace-admin audit, If-Match and Idempotency-Key", () => {
  it("lists the audit trail, newest first, filtered by workspace", async () => {
    const workspace = await json(["workspaces", "create", "Audited"]);
    await json(["workspaces", "rename", workspace.id, "Audited twice"]);
    const events = await json(["audit", "list", "--workspace-id", workspace.id]);
    expect(events.data.map((e: { action: string }) => e.action)).toEqual(["workspace.updated", "workspace.created"]);
    const table = await cli(["audit", "list", "--workspace-id", workspace.id, "--action", "workspace.updated"]);
    expect(table.stdout).toMatch(/^OCCURREDAT\s+ACTION\s+TARGETID/);
    expect(table.stdout).toContain("Audited twice");
    expect(table.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("sends --if-match, so a stale version changes nothing, and --idempotency-key, so a retry creates nothing more", async () => {
    const workspace = await json(["workspaces", "create", "Versioned"]);
    const stale = `"${workspace.version + 7}"`;
    const refused = await cli(["workspaces", "rename", workspace.id, "Clobbered", "--if-match", stale]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error \(PRECONDITION_FAILED\): /);
    expect((await json(["workspaces", "get", workspace.id])).name).toBe("Versioned");
    const renamed = await json(["workspaces", "rename", workspace.id, "Renamed", "--if-match", `"${workspace.version}"`]);
    expect(renamed.name).toBe("Renamed");

    const first = await json(["workspaces", "create", "Once", "--idempotency-key", "cli-retry-1"]);
    const retry = await json(["workspaces", "create", "Once", "--idempotency-key", "cli-retry-1"]);
    expect(retry).toEqual(first);
  });
});

describe("workspace-admin members and profiles", () => {
  it("adds, lists and removes members, and searches profiles", async () => {
    const workspace = await createWorkspace(account, "Members via CLI");
    const profileId = await createProfile(server, account, { email: "grace@cli.test", name: "Grace Hopper" });
    const found = await cli(["profiles", "search", "grace"]);
    expect(found.stdout).toMatch(/^ID\s+NAME\s+EMAIL/);
    expect(found.stdout).toContain(profileId);
    expect((await json(["profiles", "search", "--email", "GRACE@cli.test"])).data.map((p: { id: string }) => p.id)).toEqual([profileId]);

    const added = await cli(["members", "add", workspace.id, profileId]);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^PROFILEID\s+NAME\s+EMAIL/);
    expect(added.stdout).toContain("Grace Hopper");
    expect((await cli(["members", "list", workspace.id])).stdout).toContain("grace@cli.test");
    expect((await json(["members", "remove", workspace.id, profileId])).profileId).toBe(profileId);
    expect((await cli(["members", "list", workspace.id])).stdout).toBe("(none)\n");
  });
});

describe("errors", () => {
  it("exits 1 with the API's message and code", async () => {
    const missing = await cli(["workspaces", "get", MISSING_WORKSPACE_ID]);
    expect(missing).toEqual({ code: 1, stdout: "", stderr: "Error (NOT_FOUND): Workspace not found\n" });
    const invalid = await cli(["workspaces", "create", "   "]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^Error \(BAD_REQUEST\): Input validation failed: name: /);
    const badToken = await cli(["workspaces", "list"], { WORKSPACE_ADMIN_URL: server.url, WORKSPACE_ADMIN_TOKEN: "not-a-jwt" });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/^Error \(UNAUTHORIZED\): /);
    const unreachable = await cli(["workspaces", "list", "--url", "http://127.0.0.1:9", "--token", account.token], {});
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^Error: cannot reach the server: /);
  });

  it("exits 2 with usage for a missing token, argument or unknown command", async () => {
    const noToken = await cli(["workspaces", "list"], { WORKSPACE_ADMIN_URL: server.url });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("no token: pass --token or set WORKSPACE_ADMIN_TOKEN");
    const noArgument = await cli(["workspaces", "get"]);
    expect(noArgument.code).toBe(2);
    expect(noArgument.stderr).toContain("missing argument <workspaceId>");
    const noName = await cli(["workspaces", "rename", MISSING_WORKSPACE_ID]);
    expect(noName.stderr).toContain("missing argument <name>");
    const unknownOption = await cli(["workspaces", "get", MISSING_WORKSPACE_ID, "--colour", "red"]);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("--colour");
    const unknown = await cli(["workspaces", "destroy"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "workspaces destroy"');
  });
});

describe("the command table", () => {
  it("has a command for every operation of the contracts' table, listed in --help", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(helpText());
    const listed = helpText().split("\n").filter((line) => /^ {2}\w+ \w+ /.test(line));
    expect(listed).toHaveLength(Object.keys(endpoints).length);
    for (const contract of Object.values(endpoints)) expect(listed.some((line) => line.endsWith(contract.summary) || line.includes("Rename"))).toBe(true);
    for (const words of ["workspaces list", "workspaces get", "workspaces create", "workspaces rename", "workspaces archive", "members list", "members add", "members remove", "profiles search"]) {
      expect(help.stdout).toContain(`  ${words} `);
    }
  });
});

describe("the workspace-admin executable", () => {
  it("takes the URL and token from flags, prints a table and exits 0; exits 1 on an API error", async () => {
    await createWorkspace(account, "Seen by the executable");
    const env = { ...process.env, WORKSPACE_ADMIN_URL: "", WORKSPACE_ADMIN_TOKEN: "" };
    const listed = await execFileAsync(process.execPath, [bin, "workspaces", "list", "--url", server.url, "--token", account.token, "--limit", "100"], { env, encoding: "utf8" });
    expect(listed.stdout).toContain("Seen by the executable");
    const failed = await execFileAsync(process.execPath, [bin, "workspaces", "get", MISSING_WORKSPACE_ID, "--url", server.url, "--token", account.token], { env, encoding: "utf8" }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stdout: "", stderr: "Error (NOT_FOUND): Workspace not found\n" });
  });
});
