import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createWorkspace, startTestServer, type TestAccount, type TestServer } from "../support/index.ts";

let server: TestServer;
let account: TestAccount;
const path = "/v1/account/workspaces";

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
  for (let i = 0; i < 25; i++) await createWorkspace(account, `Paged ${String(i).padStart(2, "0")}`);
});
afterAll(() => server?.close());

describe("cursor pagination", () => {
  it("defaults to 20 items and says where to continue", async () => {
    const response = await account.api.get(path);
    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(20);
    expect(response.body.hasMore).toBe(true);
    expect(typeof response.body.nextCursor).toBe("string");
  });

  it("ends with hasMore false and a null nextCursor", async () => {
    const response = await account.api.get(path, { query: { limit: 100 } });
    expect(response.body.data).toHaveLength(25);
    expect(response.body).toMatchObject({ hasMore: false, nextCursor: null });
  });

  it("orders by creation and returns each item exactly once across pages", async () => {
    const walked = await account.api.walk(path, { limit: 4 });
    expect(walked.map((w) => w.name)).toEqual(Array.from({ length: 25 }, (_, i) => `Paged ${String(i).padStart(2, "0")}`));
  });

  it("returns each existing item exactly once while items are being added during the walk", async () => {
    const existing = (await account.api.walk(path, { limit: 100 })).map((w) => w.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let added = 0;
    for (;;) {
      const page = await account.api.get(path, { query: { limit: 3, cursor } });
      seen.push(...page.body.data.map((w: { id: string }) => w.id));
      if (added < 5) {
        await createWorkspace(account, `Added during walk ${added++}`);
      }
      if (!page.body.hasMore) break;
      cursor = page.body.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of existing) expect(seen.filter((s) => s === id)).toHaveLength(1);
  });

  it.each(["0", "101", "-1", "abc", "1.5", "1e3"])("answers 400 for limit=%s", async (limit) => {
    const response = await account.api.get(path, { query: { limit } });
    expect(response.status).toBe(400);
  });

  it("accepts limit=1 and limit=100", async () => {
    expect((await account.api.get(path, { query: { limit: 1 } })).body.data).toHaveLength(1);
    expect((await account.api.get(path, { query: { limit: 100 } })).status).toBe(200);
  });

  it.each([
    ["garbage", "not a cursor!"],
    ["base64 of garbage", Buffer.from("hello").toString("base64url")],
    ["a cursor of another list", Buffer.from("v1:prof_01JD8Z6V5TQ3R2P1N0M9K8J7H6").toString("base64url")],
    ["an oversized cursor", "A".repeat(600)],
  ])("answers 400 for a malformed cursor (%s)", async (_case, cursor) => {
    const response = await account.api.get(path, { query: { cursor } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("BAD_REQUEST");
  });

  it("answers 400 for a malformed cursor on the member and profile lists too", async () => {
    const workspace = await createWorkspace(account);
    expect((await account.api.get(`${path}/${workspace.id}/members`, { query: { cursor: "zzz" } })).status).toBe(400);
    expect((await account.api.get("/v1/account/profiles", { query: { cursor: "zzz" } })).status).toBe(400);
    expect((await account.api.get("/v1/account/profiles", { query: { limit: 0 } })).status).toBe(400);
  });
});
