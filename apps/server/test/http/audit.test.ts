import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditEvent } from "@workspace-admin/contracts";
import {
  createAccount,
  createProfile,
  createWorkspace,
  MISSING_PROFILE_ID,
  MISSING_WORKSPACE_ID,
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

const events = "/v1/account/audit-events";
const workspaces = "/v1/account/workspaces";

/** Every audit event of the account (or those matching `query`), newest first. */
const auditOf = (api: RestClient, query: Record<string, string | number> = {}) => api.walk<AuditEvent>(events, query);

describe("audit events of changes", () => {
  it("records a workspace's creation with who, which request and the values set", async () => {
    const created = await account.api.post(workspaces, { name: "Audited", description: "d" }, { headers: { "x-request-id": "req-create-1" } });
    expect(created.status).toBe(201);
    const [event] = await auditOf(account.api, { workspaceId: created.body.id });
    expect(AuditEvent.parse(event)).toEqual({
      id: expect.stringMatching(/^aud_/),
      occurredAt: expect.any(String),
      actorProfileId: account.adminProfileId,
      action: "workspace.created",
      targetType: "workspace",
      targetId: created.body.id,
      workspaceId: created.body.id,
      requestId: "req-create-1",
      changes: {
        name: { before: null, after: "Audited" },
        description: { before: null, after: "d" },
        version: { before: null, after: 1 },
      },
    });
  });

  it("records an update with before and after of only what changed", async () => {
    const workspace = await createWorkspace(account, "Old name", "kept");
    const response = await account.api.patch(`${workspaces}/${workspace.id}`, { name: "New name", description: "kept" });
    expect(response.status).toBe(200);
    const [event] = await auditOf(account.api, { workspaceId: workspace.id });
    expect(event).toMatchObject({
      action: "workspace.updated",
      targetId: workspace.id,
      changes: { name: { before: "Old name", after: "New name" }, version: { before: 1, after: 2 } },
    });
    expect(Object.keys(event!.changes).sort()).toEqual(["name", "version"]);
  });

  it("records an archive", async () => {
    const workspace = await createWorkspace(account, "To archive");
    const archived = await account.api.delete(`${workspaces}/${workspace.id}`);
    const [event] = await auditOf(account.api, { workspaceId: workspace.id });
    expect(event).toMatchObject({
      action: "workspace.archived",
      changes: { archivedAt: { before: null, after: archived.body.archivedAt }, version: { before: 1, after: 2 } },
    });
  });

  it("records a member's addition and removal, targeting the member's profile", async () => {
    const workspace = await createWorkspace(account, "Membership audited");
    const profileId = await createProfile(server, account);
    const added = await account.api.post(`${workspaces}/${workspace.id}/members`, { profileId });
    expect(added.status).toBe(201);
    expect((await account.api.delete(`${workspaces}/${workspace.id}/members/${profileId}`)).status).toBe(200);
    const [removal, addition] = await auditOf(account.api, { workspaceId: workspace.id });
    expect(addition).toMatchObject({
      action: "member.added",
      targetType: "member",
      targetId: profileId,
      workspaceId: workspace.id,
      changes: { actorId: { before: null, after: added.body.actorId }, profileId: { before: null, after: profileId } },
    });
    expect(removal).toMatchObject({
      action: "member.removed",
      targetId: profileId,
      changes: { actorId: { before: added.body.actorId, after: null }, profileId: { before: profileId, after: null } },
    });
  });

  it("records one event when simultaneous requests race for one change", async () => {
    const workspace = await createWorkspace(account, "Raced membership");
    const profileId = await createProfile(server, account);
    const answers = await sendSimultaneously(server.url, 5, {
      method: "POST",
      path: `${workspaces}/${workspace.id}/members`,
      headers: { authorization: `Bearer ${account.token}` },
      body: { profileId },
    });
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const added = await auditOf(account.api, { workspaceId: workspace.id, action: "member.added" });
    expect(added).toHaveLength(1);
    expect(added[0]!.changes.actorId!.after).toBe(answers.find((a) => a.status === 201)!.body.actorId);
  });

  it("records nothing for rejected requests or requests that change nothing", async () => {
    const workspace = await createWorkspace(account, "Quiet");
    const profileId = await createProfile(server, account);
    const before = await auditOf(account.api);
    const rejected = [
      await account.api.post(workspaces, { name: "quiet" }), // 409 name taken
      await account.api.post(workspaces, { name: "" }), // 400
      await account.api.patch(`${workspaces}/${workspace.id}`, { name: "Other" }, { headers: { "if-match": '"7"' } }), // 412
      await account.api.patch(`${workspaces}/${MISSING_WORKSPACE_ID}`, { name: "x" }), // 404
      await account.api.post(`${workspaces}/${workspace.id}/members`, { profileId: MISSING_PROFILE_ID }), // 404
      await account.api.delete(`${workspaces}/${workspace.id}/members/${profileId}`), // 404: not a member
    ];
    expect(rejected.map((r) => r.status)).toEqual([409, 400, 412, 404, 404, 404]);
    expect((await account.api.patch(`${workspaces}/${workspace.id}`, { name: "Quiet" })).status).toBe(200); // no change
    expect(await auditOf(account.api)).toEqual(before);

    await account.api.delete(`${workspaces}/${workspace.id}`);
    const afterArchive = await auditOf(account.api);
    expect(afterArchive).toHaveLength(before.length + 1);
    expect((await account.api.delete(`${workspaces}/${workspace.id}`)).status).toBe(200); // already archived
    expect((await account.api.post(`${workspaces}/${workspace.id}/members`, { profileId })).status).toBe(409);
    expect(await auditOf(account.api)).toEqual(afterArchive);
  });
});

describe("listing audit events", () => {
  let own: TestAccount;
  let secondAdmin: RestClient;
  let secondAdminProfileId: string;
  let first: { id: string };
  let second: { id: string };

  beforeAll(async () => {
    own = await createAccount(server);
    first = await createWorkspace(own, "One");
    second = await createWorkspace(own, "Two");
    await own.api.patch(`${workspaces}/${first.id}`, { description: "edited" });
    const token = await server.token({ org: own.org, user: "user_second_admin", email: "second@example.test" });
    secondAdmin = new RestClient(server.url, token);
    const third = await secondAdmin.post(workspaces, { name: "Three" });
    expect(third.status).toBe(201);
    await secondAdmin.delete(`${workspaces}/${second.id}`);
    secondAdminProfileId = (await secondAdmin.get("/v1/account/profiles", { query: { email: "second@example.test" } })).body.data[0].id;
  });

  it("lists newest first, and pages walk every event once", async () => {
    const all = await auditOf(own.api);
    expect(all.map((e) => e.action)).toEqual([
      "workspace.archived",
      "workspace.created",
      "workspace.updated",
      "workspace.created",
      "workspace.created",
    ]);
    const ids = all.map((e) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(await auditOf(own.api, { limit: 2 })).toEqual(all);
    const page = await own.api.get(events, { query: { limit: 2 } });
    expect(page.body).toMatchObject({ hasMore: true, nextCursor: expect.any(String) });
    expect(page.body.data).toEqual(all.slice(0, 2));
  });

  it("filters by action, workspace and actor, combined with AND", async () => {
    expect((await auditOf(own.api, { action: "workspace.created" })).map((e) => e.targetId)).toHaveLength(3);
    expect((await auditOf(own.api, { workspaceId: first.id })).map((e) => e.action)).toEqual([
      "workspace.updated",
      "workspace.created",
    ]);
    const bySecond = await auditOf(own.api, { actorProfileId: secondAdminProfileId });
    expect(bySecond.map((e) => e.action)).toEqual(["workspace.archived", "workspace.created"]);
    expect(await auditOf(own.api, { actorProfileId: secondAdminProfileId, workspaceId: second.id, action: "workspace.archived" })).toHaveLength(1);
    expect(await auditOf(own.api, { actorProfileId: secondAdminProfileId, workspaceId: first.id })).toEqual([]);
  });

  it("filters by time: since inclusive, until exclusive, with or without milliseconds", async () => {
    const all = await auditOf(own.api);
    const pivot = all[2]!;
    const since = await auditOf(own.api, { since: pivot.occurredAt });
    expect(since.map((e) => e.id)).toEqual(all.filter((e) => e.occurredAt >= pivot.occurredAt).map((e) => e.id));
    expect(since.map((e) => e.id)).toContain(pivot.id);
    const until = await auditOf(own.api, { until: pivot.occurredAt });
    expect(until.map((e) => e.id)).toEqual(all.filter((e) => e.occurredAt < pivot.occurredAt).map((e) => e.id));
    expect(until.map((e) => e.id)).not.toContain(pivot.id);
    const oldest = all.at(-1)!;
    const secondBefore = new Date(Math.floor(Date.parse(oldest.occurredAt) / 1000) * 1000).toISOString().replace(".000Z", "Z");
    expect(await auditOf(own.api, { since: secondBefore })).toEqual(all);
    expect(await auditOf(own.api, { until: secondBefore })).toEqual([]);
    expect(await auditOf(own.api, { since: "2999-01-01T00:00:00Z" })).toEqual([]);
  });

  it("shows an account only its own events", async () => {
    const ownIds = new Set((await auditOf(own.api)).map((e) => e.id));
    const othersIds = (await auditOf(account.api)).map((e) => e.id);
    expect(othersIds.length).toBeGreaterThan(0);
    expect(othersIds.filter((id) => ownIds.has(id))).toEqual([]);
    expect(await auditOf(account.api, { workspaceId: first.id })).toEqual([]);
  });

  it.each([
    ["an unknown action", { action: "workspace.deleted" }],
    ["a malformed workspace id", { workspaceId: "nope" }],
    ["a malformed actor id", { actorProfileId: "ws_01JD8Z6V5TQ3R2P1N0M9K8J7H6" }],
    ["a malformed since", { since: "yesterday" }],
    ["since after until", { since: "2026-02-01T00:00:00Z", until: "2026-01-01T00:00:00Z" }],
    ["a malformed cursor", { cursor: "bm90LWEtY3Vyc29y" }],
    ["a cursor of another list", { cursor: Buffer.from("v1:ws_01JD8Z6V5TQ3R2P1N0M9K8J7H6").toString("base64url") }],
    ["a limit over 100", { limit: 101 }],
    ["an unknown parameter", { order: "asc" }],
  ])("answers 400 for %s", async (_case, query) => {
    const response = await own.api.get(events, { query });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("BAD_REQUEST");
  });

  it("is for admins only", async () => {
    expect((await own.api.get(events, { token: null })).status).toBe(401);
    const member = await server.token({ org: own.org, user: "user_plain_member", role: "member" });
    const forbidden = await own.api.get(events, { token: member });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe("FORBIDDEN");
  });

  it("is the same list over /trpc", async () => {
    const input = encodeURIComponent(JSON.stringify({ workspaceId: first.id }));
    const response = await fetch(`${server.url}/trpc/audit.list?input=${input}`, {
      headers: { authorization: `Bearer ${own.token}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { data: { data: AuditEvent[] } } };
    expect(body.result.data.data).toEqual(await auditOf(own.api, { workspaceId: first.id }));
  });
});
