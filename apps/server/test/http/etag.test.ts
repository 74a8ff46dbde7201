import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAccount,
  createWorkspace,
  MISSING_WORKSPACE_ID,
  sendSimultaneously,
  startTestServer,
  type TestAccount,
  type TestServer,
} from "../support/index.ts";

let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
});
afterAll(() => server?.close());

const path = "/v1/account/workspaces";
const ifMatch = (value: string) => ({ headers: { "if-match": value } });

describe("ETag", () => {
  it("is the version in quotes, on create and on GET", async () => {
    const created = await account.api.post(path, { name: "Tagged" });
    expect(created.status).toBe(201);
    expect(created.body.version).toBe(1);
    expect(created.headers.get("etag")).toBe('"1"');
    const read = await account.api.get(`${path}/${created.body.id}`);
    expect(read.headers.get("etag")).toBe('"1"');
  });

  it("changes with every change and answers the new tag on PATCH and DELETE", async () => {
    const workspace = await createWorkspace(account, "Versioned");
    const renamed = await account.api.patch(`${path}/${workspace.id}`, { name: "Versioned 2" });
    expect(renamed.headers.get("etag")).toBe('"2"');
    expect(renamed.body.version).toBe(2);
    const archived = await account.api.delete(`${path}/${workspace.id}`);
    expect(archived.headers.get("etag")).toBe('"3"');
    expect((await account.api.get(`${path}/${workspace.id}`)).headers.get("etag")).toBe('"3"');
  });

  it("stays when a PATCH changes nothing", async () => {
    const workspace = await createWorkspace(account, "Unchanged", "same");
    const response = await account.api.patch(`${path}/${workspace.id}`, { name: "Unchanged", description: "same" }, ifMatch('"1"'));
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"1"');
  });

  it("is not on error answers", async () => {
    const missing = await account.api.get(`${path}/${MISSING_WORKSPACE_ID}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("etag")).toBeNull();
  });
});

describe("If-Match on PATCH", () => {
  it("applies the change when it matches the current tag", async () => {
    const workspace = await createWorkspace(account, "Match me");
    const response = await account.api.patch(`${path}/${workspace.id}`, { description: "matched" }, ifMatch('"1"'));
    expect(response.status).toBe(200);
    expect(response.body.description).toBe("matched");
  });

  it("answers 412 for a stale tag and changes nothing: the second of two editors loses no update", async () => {
    const workspace = await createWorkspace(account, "Contended");
    const tag = (await account.api.get(`${path}/${workspace.id}`)).headers.get("etag")!;
    const first = await account.api.patch(`${path}/${workspace.id}`, { name: "Alice's name" }, ifMatch(tag));
    expect(first.status).toBe(200);
    const second = await account.api.patch(`${path}/${workspace.id}`, { name: "Bob's name" }, ifMatch(tag));
    expect(second.status).toBe(412);
    expect(second.body).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringContaining('"2"') });
    const now = await account.api.get(`${path}/${workspace.id}`);
    expect(now.body).toEqual(first.body);
  });

  it("lets exactly one of simultaneous PATCHes with the same tag through", async () => {
    const workspace = await createWorkspace(account, "Raced");
    const answers = await sendSimultaneously(server.url, 6, {
      method: "PATCH",
      path: `${path}/${workspace.id}`,
      headers: { authorization: `Bearer ${account.token}`, "if-match": '"1"' },
      body: { description: "one of six" },
    });
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
    expect((await account.api.get(`${path}/${workspace.id}`)).body).toMatchObject({ description: "one of six", version: 2 });
  });

  it("checks the tag before the archived rule (412, not 409)", async () => {
    const workspace = await createWorkspace(account, "Archived then patched");
    await account.api.delete(`${path}/${workspace.id}`);
    const response = await account.api.patch(`${path}/${workspace.id}`, { name: "x" }, ifMatch('"1"'));
    expect(response.status).toBe(412);
  });

  it("accepts * and a list containing the current tag; a weak tag never matches", async () => {
    const workspace = await createWorkspace(account, "Lists");
    expect((await account.api.patch(`${path}/${workspace.id}`, { description: "a" }, ifMatch("*"))).status).toBe(200);
    expect((await account.api.patch(`${path}/${workspace.id}`, { description: "b" }, ifMatch('"9", "2"'))).status).toBe(200);
    expect((await account.api.patch(`${path}/${workspace.id}`, { description: "c" }, ifMatch('W/"3"'))).status).toBe(412);
    expect((await account.api.get(`${path}/${workspace.id}`)).body).toMatchObject({ description: "b", version: 3 });
  });

  it.each(["3", "abc", '"3', '"1",,'])("answers 400 for a malformed If-Match %j, changing nothing", async (value) => {
    const workspace = await createWorkspace(account);
    const response = await account.api.patch(`${path}/${workspace.id}`, { description: "no" }, ifMatch(value));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("BAD_REQUEST");
    expect((await account.api.get(`${path}/${workspace.id}`)).body.version).toBe(1);
  });

  it("answers 404 for a workspace that does not exist, whatever the tag", async () => {
    expect((await account.api.patch(`${path}/${MISSING_WORKSPACE_ID}`, { name: "x" }, ifMatch('"1"'))).status).toBe(404);
  });

  it("without If-Match, behaves as before: the last write wins", async () => {
    const workspace = await createWorkspace(account, "No precondition");
    await account.api.patch(`${path}/${workspace.id}`, { name: "First" });
    const second = await account.api.patch(`${path}/${workspace.id}`, { name: "Second" });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ name: "Second", version: 3 });
  });

  it("is honored over /trpc too", async () => {
    const workspace = await createWorkspace(account, "Over tRPC");
    await account.api.patch(`${path}/${workspace.id}`, { name: "Over tRPC 2" });
    const response = await fetch(`${server.url}/trpc/workspaces.update`, {
      method: "POST",
      headers: { authorization: `Bearer ${account.token}`, "content-type": "application/json", "if-match": '"1"' },
      body: JSON.stringify({ workspaceId: workspace.id, name: "Lost update" }),
    });
    expect(response.status).toBe(412);
    expect((await account.api.get(`${path}/${workspace.id}`)).body.name).toBe("Over tRPC 2");
  });
});

describe("If-Match on DELETE", () => {
  it("answers 412 for a stale tag and leaves the workspace active", async () => {
    const workspace = await createWorkspace(account, "Keep me");
    await account.api.patch(`${path}/${workspace.id}`, { description: "edited by someone else" });
    const response = await account.api.delete(`${path}/${workspace.id}`, ifMatch('"1"'));
    expect(response.status).toBe(412);
    expect(response.body.code).toBe("PRECONDITION_FAILED");
    expect((await account.api.get(`${path}/${workspace.id}`)).body).toMatchObject({ archivedAt: null, version: 2 });
  });

  it("archives when the tag is current", async () => {
    const workspace = await createWorkspace(account, "Archive me");
    const response = await account.api.delete(`${path}/${workspace.id}`, ifMatch('"1"'));
    expect(response.status).toBe(200);
    expect(response.body.archivedAt).not.toBeNull();
  });

  it("without If-Match, behaves as before", async () => {
    const workspace = await createWorkspace(account, "Archive freely");
    await account.api.patch(`${path}/${workspace.id}`, { description: "changed" });
    expect((await account.api.delete(`${path}/${workspace.id}`)).status).toBe(200);
  });
});

describe("OpenAPI", () => {
  it("documents ETag, If-Match and the 412", async () => {
    const document = (await account.api.get("/openapi.json")).body;
    const item = document.paths["/v1/account/workspaces/{workspaceId}"];
    expect(Object.keys(item.get.responses["200"].headers ?? {})).toContain("ETag");
    for (const operation of [item.patch, item.delete]) {
      const headers = operation.parameters.filter((p: { in: string }) => p.in === "header").map((p: { name: string }) => p.name);
      expect(headers).toEqual(expect.arrayContaining(["If-Match", "Idempotency-Key"]));
      expect(operation.responses).toHaveProperty("412");
    }
  });
});
