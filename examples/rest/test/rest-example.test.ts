import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createProfile, startTestServer, type TestAccount, type TestServer } from "@workspace-admin/server/testing";
import { createRestClient, createWorkspaceWithMember, listAllWorkspaces, RestApiError } from "../src/workspace-admin-rest.ts";

const here = dirname(fileURLToPath(import.meta.url));

let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
});
afterAll(() => server?.close());

describe("the typed REST example (openapi-typescript + openapi-fetch)", () => {
  it("has types generated from the committed openapi.json (run `npm run generate` in examples/rest after `npm run openapi`)", () => {
    const out = mkdtempSync(join(tmpdir(), "openapi-ts-"));
    try {
      const cli = join(dirname(createRequire(import.meta.url).resolve("openapi-typescript/package.json")), "bin", "cli.js");
      const generated = spawnSync(process.execPath, [cli, "../../openapi.json", "-o", join(out, "schema.d.ts")], {
        cwd: join(here, ".."),
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(generated.status).toBe(0);
      expect(readFileSync(join(out, "schema.d.ts"), "utf8")).toBe(readFileSync(join(here, "../src/schema.d.ts"), "utf8"));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("creates a workspace (201), adds a member and lists every page against a live server", async () => {
    const client = createRestClient(server.url, account.token);
    const profileId = await createProfile(server, account, { email: "rest@example.test", name: "Rest Example" });
    const { workspace, member } = await createWorkspaceWithMember(client, "  REST example  ", profileId);
    expect(workspace).toMatchObject({ name: "REST example", archivedAt: null });
    expect(member).toMatchObject({ profileId, email: "rest@example.test" });
    for (let i = 0; i < 3; i++) await createWorkspaceWithMember(client, `Paged ${i}`, profileId);
    const all = await listAllWorkspaces(client, 2);
    expect(all.map((w) => w.name)).toEqual(["REST example", "Paged 0", "Paged 1", "Paged 2"]);
  });

  it("hands back the API's error body, typed", async () => {
    const client = createRestClient(server.url, account.token);
    const profileId = await createProfile(server, account);
    await createWorkspaceWithMember(client, "Taken", profileId);
    const error = await createWorkspaceWithMember(client, "taken", profileId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestApiError);
    expect((error as RestApiError).status).toBe(409);
    expect((error as RestApiError).body.code).toBe("CONFLICT");
    const anonymous = await createRestClient(server.url, "not-a-token").GET("/v1/account/workspaces", { params: { query: {} } });
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.error?.code).toBe("UNAUTHORIZED");
  });
});
