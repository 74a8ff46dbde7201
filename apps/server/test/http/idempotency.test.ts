import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IdempotencyKeyEntity } from "../../src/db/entities.ts";
import { fingerprintOf } from "../../src/http/idempotency.ts";
import {
  createAccount,
  createWorkspace,
  RestClient,
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

const workspaces = "/v1/account/workspaces";
let counter = 0;
const newKey = () => `key-${Date.now()}-${++counter}`;
const keyed = (key: string, headers: Record<string, string> = {}) => ({ headers: { "idempotency-key": key, ...headers } });

async function workspacesNamed(api: RestClient, name: string) {
  return (await api.walk(workspaces, { includeArchived: true })).filter((w: { name: string }) => w.name === name);
}

describe("a repeated request with the same key", () => {
  it("answers the first answer again, marked as replayed, without a second effect", async () => {
    const key = newKey();
    const first = await account.api.post(workspaces, { name: "Once only" }, keyed(key));
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await account.api.post(workspaces, { name: "Once only" }, keyed(key, { "x-request-id": "retry-1" }));
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(again.headers.get("content-type")).toMatch(/^application\/json/);
    expect(again.headers.get("x-request-id")).toBe("retry-1");
    expect(await workspacesNamed(account.api, "Once only")).toHaveLength(1);
    const created = (await account.api.walk("/v1/account/audit-events", { workspaceId: first.body.id })).filter(
      (e: { action: string }) => e.action === "workspace.created",
    );
    expect(created).toHaveLength(1);
  });

  it("matches the body regardless of the order of its keys", async () => {
    const key = newKey();
    const first = await account.api.post(workspaces, { name: "Ordered", description: "x" }, keyed(key));
    const again = await account.api.post(workspaces, undefined, {
      ...keyed(key),
      rawBody: '{ "description": "x", "name": "Ordered" }',
      headers: { "idempotency-key": key, "content-type": "application/json" },
    });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("replays a 4xx answer too: the key stands for the first outcome", async () => {
    const taken = await createWorkspace(account, "Taken for replay");
    const key = newKey();
    const first = await account.api.post(workspaces, { name: "Taken for replay" }, keyed(key));
    expect(first.status).toBe(409);
    await account.api.delete(`${workspaces}/${taken.id}`);
    const again = await account.api.post(workspaces, { name: "Taken for replay" }, keyed(key));
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    // A new key is a new request: now the name is free.
    expect((await account.api.post(workspaces, { name: "Taken for replay" }, keyed(newKey()))).status).toBe(201);
  });

  it("works for PATCH and DELETE: the stored answer, even after later changes", async () => {
    const workspace = await createWorkspace(account, "Patch keyed");
    const patchKey = newKey();
    const patched = await account.api.patch(`${workspaces}/${workspace.id}`, { description: "first" }, keyed(patchKey));
    expect(patched.status).toBe(200);
    await account.api.patch(`${workspaces}/${workspace.id}`, { description: "second" });
    const replayed = await account.api.patch(`${workspaces}/${workspace.id}`, { description: "first" }, keyed(patchKey));
    expect(replayed.body).toEqual(patched.body);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect((await account.api.get(`${workspaces}/${workspace.id}`)).body).toMatchObject({ description: "second", version: 3 });

    const deleteKey = newKey();
    const archived = await account.api.delete(`${workspaces}/${workspace.id}`, keyed(deleteKey));
    const again = await account.api.delete(`${workspaces}/${workspace.id}`, keyed(deleteKey));
    expect(again.body).toEqual(archived.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("replays a 412 of a stale If-Match", async () => {
    const workspace = await createWorkspace(account, "Stale keyed");
    await account.api.patch(`${workspaces}/${workspace.id}`, { description: "moved on" });
    const key = newKey();
    const options = keyed(key, { "if-match": '"1"' });
    expect((await account.api.patch(`${workspaces}/${workspace.id}`, { name: "x" }, options)).status).toBe(412);
    const again = await account.api.patch(`${workspaces}/${workspace.id}`, { name: "x" }, options);
    expect(again.status).toBe(412);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });
});

describe("the same key with a different request", () => {
  it("answers 422 with a clear message for another body, and changes nothing", async () => {
    const key = newKey();
    expect((await account.api.post(workspaces, { name: "First body" }, keyed(key))).status).toBe(201);
    const other = await account.api.post(workspaces, { name: "Second body" }, keyed(key));
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    expect(other.body.message).toBe(
      "This Idempotency-Key was already used for a different request (it was first used for POST " +
        "/v1/account/workspaces); use a new key for a new request",
    );
    expect(await workspacesNamed(account.api, "Second body")).toEqual([]);
  });

  it("answers 422 for another method or path", async () => {
    const workspace = await createWorkspace(account, "Path keyed");
    const key = newKey();
    expect((await account.api.patch(`${workspaces}/${workspace.id}`, { description: "d" }, keyed(key))).status).toBe(200);
    const deleted = await account.api.delete(`${workspaces}/${workspace.id}`, keyed(key));
    expect(deleted.status).toBe(422);
    expect(deleted.body.message).toContain(`first used for PATCH ${workspaces}/${workspace.id}`);
    const other = await createWorkspace(account, "Other path");
    expect((await account.api.patch(`${workspaces}/${other.id}`, { description: "d" }, keyed(key))).status).toBe(422);
    expect((await account.api.get(`${workspaces}/${workspace.id}`)).body.archivedAt).toBeNull();
    expect((await account.api.get(`${workspaces}/${other.id}`)).body.description).toBeNull();
  });
});

describe("keys", () => {
  it("belong to one account: another account's same key is a new request", async () => {
    const other = await createAccount(server);
    const key = newKey();
    const mine = await account.api.post(workspaces, { name: "Shared key" }, keyed(key));
    const theirs = await other.api.post(workspaces, { name: "Shared key" }, keyed(key));
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it.each([
    ["empty", ""],
    ["over 255 characters", "k".repeat(256)],
    ["with a non-ASCII character", "clé"],
  ])("answers 400 for a key that is %s, creating nothing", async (_case, key) => {
    const name = `Bad key ${newKey()}`;
    const response = await account.api.post(workspaces, { name }, { headers: { "idempotency-key": key } });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain("Idempotency-Key");
    expect(await workspacesNamed(account.api, name)).toEqual([]);
  });

  it("accepts a 255-character key", async () => {
    const key = `${newKey()}-`.padEnd(255, "x");
    const first = await account.api.post(workspaces, { name: "Long key" }, keyed(key));
    expect(first.status).toBe(201);
    const again = await account.api.post(workspaces, { name: "Long key" }, keyed(key));
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("are not looked at for an unauthenticated request (401) or a GET", async () => {
    const key = newKey();
    const anonymous = await account.api.post(workspaces, { name: "Anonymous" }, { ...keyed(key), token: null });
    expect(anonymous.status).toBe(401);
    const first = await account.api.post(workspaces, { name: "After anonymous" }, keyed(key));
    expect(first.status).toBe(201);
    const read = await account.api.get(workspaces, keyed(key));
    expect(read.status).toBe(200);
    expect(read.headers.get("idempotent-replayed")).toBeNull();
  });

  it("expire after 24 hours: then the key runs a new request", async () => {
    const key = newKey();
    const first = await account.api.post(workspaces, { name: "Expiring", description: "one" }, keyed(key));
    expect(first.status).toBe(201);
    await server.db.write((manager) =>
      manager
        .createQueryBuilder()
        .update(IdempotencyKeyEntity)
        .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
        .where("account_id = :accountId AND idempotency_key = :key", { accountId: account.accountId, key })
        .execute(),
    );
    const later = await account.api.post(workspaces, { name: "Expiring again" }, keyed(key));
    expect(later.status).toBe(201);
    expect(later.headers.get("idempotent-replayed")).toBeNull();
    expect(later.body.id).not.toBe(first.body.id);
  });
});

describe("concurrent requests with one key", () => {
  it("execute once: the others get 409 while it runs, or its answer once it is stored", async () => {
    const key = newKey();
    const name = `Concurrent ${key}`;
    const answers = await sendSimultaneously(server.url, 12, {
      method: "POST",
      path: workspaces,
      headers: { authorization: `Bearer ${account.token}`, "idempotency-key": key },
      body: { name },
    });
    const created = answers.filter((a) => a.status === 201);
    const busy = answers.filter((a) => a.status === 409);
    expect(created.length + busy.length).toBe(answers.length);
    expect(created.filter((a) => a.headers["idempotent-replayed"] === undefined)).toHaveLength(1);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    for (const answer of busy) {
      expect(answer.body).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("in progress") });
      expect(answer.headers["retry-after"]).toBe("1");
    }
    expect(await workspacesNamed(account.api, name)).toHaveLength(1);
    const retry = await account.api.post(workspaces, { name }, keyed(key));
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body.id).toBe(created[0]!.body.id);
  });

  it("without a key, the same simultaneous requests would all run (the control case)", async () => {
    const name = `Unkeyed ${newKey()}`;
    const answers = await sendSimultaneously(server.url, 6, {
      method: "POST",
      path: workspaces,
      headers: { authorization: `Bearer ${account.token}` },
      body: { name },
    });
    // Each ran: one created it, the others hit the unique name (no idempotency layer between them).
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.message.includes("already exists"))).toBe(true);
  });

  it("answers 409 while the key's first request is in progress, and runs once the claim is abandoned", async () => {
    const key = newKey();
    const claim = (createdAt: Date) =>
      server.db.write((manager) =>
        manager
          .createQueryBuilder()
          .insert()
          .into(IdempotencyKeyEntity)
          .values({
            accountId: account.accountId,
            key,
            // As if another request, identical to the one below, were running right now.
            fingerprint: fingerprintOf("POST", workspaces, { name: "Claimed elsewhere" }),
            method: "POST",
            path: workspaces,
            state: "in_progress",
            responseStatus: null,
            responseHeaders: null,
            responseBody: null,
            createdAt: createdAt.toISOString(),
            expiresAt: new Date(createdAt.getTime() + 86_400_000).toISOString(),
          })
          .execute(),
      );
    await claim(new Date());
    const busy = await account.api.post(workspaces, { name: "Claimed elsewhere" }, keyed(key));
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("in progress") });
    expect(busy.headers.get("retry-after")).toBe("1");
    expect(await workspacesNamed(account.api, "Claimed elsewhere")).toEqual([]);
    // A different request with the key is still a 422, even while the first runs.
    expect((await account.api.post(workspaces, { name: "Something else" }, keyed(key))).status).toBe(422);
    await server.db.write((manager) =>
      manager
        .createQueryBuilder()
        .update(IdempotencyKeyEntity)
        .set({ createdAt: new Date(Date.now() - 10 * 60_000).toISOString() })
        .where("account_id = :accountId AND idempotency_key = :key", { accountId: account.accountId, key })
        .execute(),
    );
    const runs = await account.api.post(workspaces, { name: "Claimed elsewhere" }, keyed(key));
    expect(runs.status).toBe(201);
    expect(runs.headers.get("idempotent-replayed")).toBeNull();
  });
});

describe("across restarts and instances", () => {
  it("a retry after a server restart gets the stored answer", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-restart-"));
    try {
      const first = await startTestServer({}, { dataDir });
      const before = await createAccount(first);
      const key = newKey();
      const created = await before.api.post(workspaces, { name: "Survives restarts" }, keyed(key));
      expect(created.status).toBe(201);
      await first.close();

      const second = await startTestServer({}, { dataDir });
      try {
        const api = new RestClient(second.url, before.token);
        const retry = await api.post(workspaces, { name: "Survives restarts" }, keyed(key));
        expect(retry.status).toBe(201);
        expect(retry.body).toEqual(created.body);
        expect(retry.headers.get("idempotent-replayed")).toBe("true");
        expect(await workspacesNamed(api, "Survives restarts")).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("two instances on one database execute a key once", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-instances-"));
    try {
      const a = await startTestServer({}, { dataDir });
      const b = await startTestServer({}, { dataDir });
      try {
        const owner = await createAccount(a);
        const viaB = new RestClient(b.url, owner.token);
        const key = newKey();
        const answers = await Promise.all([
          owner.api.post(workspaces, { name: "Two instances" }, keyed(key)),
          viaB.post(workspaces, { name: "Two instances" }, keyed(key)),
          owner.api.post(workspaces, { name: "Two instances" }, keyed(key)),
          viaB.post(workspaces, { name: "Two instances" }, keyed(key)),
        ]);
        expect(answers.every((r) => r.status === 201 || r.status === 409)).toBe(true);
        expect(await workspacesNamed(viaB, "Two instances")).toHaveLength(1);
        const retry = await viaB.post(workspaces, { name: "Two instances" }, keyed(key));
        expect(retry.headers.get("idempotent-replayed")).toBe("true");
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("over /trpc", () => {
  it("honors the key on mutations", async () => {
    const key = newKey();
    const call = () =>
      fetch(`${server.url}/trpc/workspaces.create`, {
        method: "POST",
        headers: { authorization: `Bearer ${account.token}`, "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify({ name: "Keyed over tRPC" }),
      });
    const first = await call();
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    const again = await call();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(firstBody);
    expect(await workspacesNamed(account.api, "Keyed over tRPC")).toHaveLength(1);
  });

  it("refuses in tRPC's error shape, once per call of a batch", async () => {
    const key = newKey();
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}/trpc/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${account.token}`, "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify(body),
      });
    expect((await post("workspaces.create", { name: "tRPC first" })).status).toBe(200);
    const single = await post("workspaces.create", { name: "tRPC other" });
    expect(single.status).toBe(422);
    expect(await single.json()).toMatchObject({
      error: { code: -32022, message: expect.stringContaining("different request"), data: { code: "UNPROCESSABLE_CONTENT", httpStatus: 422 } },
    });
    const batch = await post("workspaces.create,workspaces.create?batch=1", { 0: { name: "b1" }, 1: { name: "b2" } });
    expect(batch.status).toBe(422);
    const entries = (await batch.json()) as { error: { data: { code: string } } }[];
    expect(entries.map((e) => e.error.data.code)).toEqual(["UNPROCESSABLE_CONTENT", "UNPROCESSABLE_CONTENT"]);
    expect(await workspacesNamed(account.api, "b1")).toEqual([]);
  });
});
