import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workspace } from "@workspace-admin/contracts";
import { createAccount, createWorkspace, MISSING_WORKSPACE_ID, startTestServer, type TestAccount, type TestServer } from "../support/index.ts";

let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
});
afterAll(() => server?.close());

const path = "/v1/account/workspaces";

describe("create workspace", () => {
  it("answers 201 with the workspace, name trimmed, timestamps ISO-8601", async () => {
    const response = await account.api.post(path, { name: "  Marketing  ", description: "Campaigns" });
    expect(response.status).toBe(201);
    const workspace = Workspace.parse(response.body);
    expect(workspace).toMatchObject({ name: "Marketing", description: "Campaigns", archivedAt: null });
    expect(new Date(workspace.createdAt).toISOString()).toBe(workspace.createdAt);
    expect(workspace.updatedAt).toBe(workspace.createdAt);
  });

  it("defaults description to null", async () => {
    const response = await account.api.post(path, { name: "No description" });
    expect(response.status).toBe(201);
    expect(response.body.description).toBeNull();
  });

  it.each([
    ["an empty name", { name: "" }],
    ["a blank name", { name: "   " }],
    ["a name over 255 characters", { name: "x".repeat(256) }],
    ["a missing name", {}],
    ["a non-string name", { name: 42 }],
    ["an unknown field", { name: "Fine", color: "red" }],
    ["a client-chosen id", { name: "Fine", id: MISSING_WORKSPACE_ID }],
    ["a description over 2000 characters", { name: "Fine", description: "d".repeat(2001) }],
    // Neither database could store these as sent (PostgreSQL text holds no NUL; a lone surrogate has no UTF-8).
    ["a name with a NUL character", { name: "a\u0000b" }],
    ["a name with a lone surrogate", { name: "a\uD800b" }],
    ["a description with a NUL character", { name: "Fine", description: "x\u0000" }],
  ])("rejects %s with 400", async (_case, body) => {
    const before = await account.api.get(path, { query: { includeArchived: "true", limit: 100 } });
    const response = await account.api.post(path, body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: "BAD_REQUEST", message: expect.any(String) });
    expect((await account.api.get(path, { query: { includeArchived: "true", limit: 100 } })).body).toEqual(before.body);
  });

  it("keeps astral characters, combining marks and right-to-left text exactly as sent", async () => {
    const name = "Zoë e\u0301 😀👩‍👩‍👧 שלום \u202E李";
    const response = await account.api.post(path, { name, description: "line one\nline two\ttabbed" });
    expect(response.status).toBe(201);
    const read = await account.api.get(`${path}/${response.body.id}`);
    expect(read.body).toMatchObject({ name, description: "line one\nline two\ttabbed" });
  });

  it("accepts a 255-character name", async () => {
    const response = await account.api.post(path, { name: "n".repeat(255) });
    expect(response.status).toBe(201);
  });

  it("answers 409 for a name taken by an active workspace, ignoring case", async () => {
    await createWorkspace(account, "Research");
    const clash = await account.api.post(path, { name: "rEsEaRcH" });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe("CONFLICT");
  });

  it("folds case for non-ASCII letters too", async () => {
    await createWorkspace(account, "Équipe Straße");
    expect((await account.api.post(path, { name: "équipe STRASSE" })).status).toBe(409);
    expect((await account.api.post(path, { name: "ÉQUIPE straße" })).status).toBe(409);
    await createWorkspace(account, "Отдел продаж");
    expect((await account.api.post(path, { name: "ОТДЕЛ ПРОДАЖ" })).status).toBe(409);
  });

  it("allows reusing the name of an archived workspace", async () => {
    const first = await createWorkspace(account, "Temporary");
    expect((await account.api.delete(`${path}/${first.id}`)).status).toBe(200);
    expect((await account.api.post(path, { name: "temporary" })).status).toBe(201);
  });

  it("answers 415 for a body that is not JSON and 400 for malformed JSON, creating nothing", async () => {
    const before = await account.api.walk(path, { includeArchived: true });
    const form = await account.api.post(path, undefined, {
      rawBody: "name=Form",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    const broken = await account.api.post(path, undefined, {
      rawBody: '{"name": "Broken"',
      headers: { "content-type": "application/json" },
    });
    expect(broken.status).toBe(400);
    expect(await account.api.walk(path, { includeArchived: true })).toEqual(before);
  });

  it("accepts application/json with a charset", async () => {
    const response = await account.api.post(path, undefined, {
      rawBody: JSON.stringify({ name: "Charset" }),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(response.status).toBe(201);
    expect(response.body.name).toBe("Charset");
  });
});

describe("get workspace", () => {
  it("answers the workspace", async () => {
    const created = await createWorkspace(account, "Gettable");
    const response = await account.api.get(`${path}/${created.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(created);
  });

  it("answers 404 for an id that does not exist", async () => {
    const response = await account.api.get(`${path}/${MISSING_WORKSPACE_ID}`);
    expect(response.status).toBe(404);
    expect(response.body.code).toBe("NOT_FOUND");
  });

  it("answers 400 for a malformed id", async () => {
    expect((await account.api.get(`${path}/not-an-id`)).status).toBe(400);
    expect((await account.api.get(`${path}/ws_%00%27%3B--`)).status).toBe(400);
  });
});

describe("update workspace", () => {
  it("renames and describes, bumping updatedAt", async () => {
    const created = await createWorkspace(account, "Before");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const response = await account.api.patch(`${path}/${created.id}`, { name: " After ", description: "Now described" });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: created.id, name: "After", description: "Now described" });
    expect(response.body.updatedAt > response.body.createdAt).toBe(true);
    expect((await account.api.get(`${path}/${created.id}`)).body).toEqual(response.body);
  });

  it("clears the description with null and leaves omitted fields alone", async () => {
    const created = await createWorkspace(account, "Described", "text");
    const response = await account.api.patch(`${path}/${created.id}`, { description: null });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: "Described", description: null });
  });

  it("answers 400 for unknown fields and read-only fields, changing nothing", async () => {
    const created = await createWorkspace(account, "Strict");
    for (const body of [{ color: "red" }, { archivedAt: null }, { createdAt: "2020-01-01T00:00:00.000Z" }, { id: "x" }]) {
      const response = await account.api.patch(`${path}/${created.id}`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect((await account.api.get(`${path}/${created.id}`)).body).toEqual(created);
  });

  it("answers 409 when renaming onto another active workspace's name", async () => {
    await createWorkspace(account, "Taken Name");
    const other = await createWorkspace(account, "Free Name");
    const response = await account.api.patch(`${path}/${other.id}`, { name: "TAKEN NAME" });
    expect(response.status).toBe(409);
    expect((await account.api.get(`${path}/${other.id}`)).body.name).toBe("Free Name");
  });

  it("allows changing only the case of its own name", async () => {
    const created = await createWorkspace(account, "lowercase team");
    const response = await account.api.patch(`${path}/${created.id}`, { name: "Lowercase Team" });
    expect(response.status).toBe(200);
    expect(response.body.name).toBe("Lowercase Team");
  });

  it("answers 409 for an archived workspace", async () => {
    const created = await createWorkspace(account, "Frozen");
    await account.api.delete(`${path}/${created.id}`);
    const response = await account.api.patch(`${path}/${created.id}`, { name: "Thawed" });
    expect(response.status).toBe(409);
  });

  it("answers 404 for an id that does not exist", async () => {
    expect((await account.api.patch(`${path}/${MISSING_WORKSPACE_ID}`, { name: "x" })).status).toBe(404);
  });
});

describe("archive workspace", () => {
  it("sets archivedAt and answers 200 with the workspace; a second archive answers the same archivedAt", async () => {
    const created = await createWorkspace(account, "Archivable");
    const first = await account.api.delete(`${path}/${created.id}`);
    expect(first.status).toBe(200);
    expect(first.body.archivedAt).toEqual(expect.any(String));
    const second = await account.api.delete(`${path}/${created.id}`);
    expect(second.status).toBe(200);
    expect(second.body.archivedAt).toBe(first.body.archivedAt);
    expect(second.body).toEqual(first.body);
  });

  it("keeps archived workspaces out of the list unless includeArchived=true; GET still returns them", async () => {
    const created = await createWorkspace(account, "Hidden when archived");
    await account.api.delete(`${path}/${created.id}`);
    const ids = (items: { id: string }[]) => items.map((w) => w.id);
    expect(ids(await account.api.walk(path))).not.toContain(created.id);
    expect(ids(await account.api.walk(path, { includeArchived: false }))).not.toContain(created.id);
    expect(ids(await account.api.walk(path, { includeArchived: true }))).toContain(created.id);
    expect((await account.api.get(`${path}/${created.id}`)).body.archivedAt).not.toBeNull();
  });

  it.each(["yes", "1", "TRUE", "False"])("answers 400 for includeArchived=%j", async (value) => {
    const response = await account.api.get(path, { query: { includeArchived: value } });
    expect(response.status).toBe(400);
  });

  it("answers 404 for an id that does not exist", async () => {
    expect((await account.api.delete(`${path}/${MISSING_WORKSPACE_ID}`)).status).toBe(404);
  });
});
