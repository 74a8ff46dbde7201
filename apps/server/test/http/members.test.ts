import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkspaceMember } from "@workspace-admin/contracts";
import {
  createAccount,
  createProfile,
  createWorkspace,
  MISSING_PROFILE_ID,
  MISSING_WORKSPACE_ID,
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

const membersOf = (workspaceId: string) => `/v1/account/workspaces/${workspaceId}/members`;

describe("add member", () => {
  it("answers 201 with the member, its actor id, and email and name from the profile", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account, { email: "grace@example.test", name: "Grace Hopper" });
    const response = await account.api.post(membersOf(workspace.id), { profileId });
    expect(response.status).toBe(201);
    const member = WorkspaceMember.parse(response.body);
    expect(member).toMatchObject({ profileId, email: "grace@example.test", name: "Grace Hopper" });
    expect(member.actorId).toMatch(/^act_/);
    expect(new Date(member.addedAt!).toISOString()).toBe(member.addedAt);
  });

  it("answers 409 when the profile is already a member", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account);
    expect((await account.api.post(membersOf(workspace.id), { profileId })).status).toBe(201);
    const again = await account.api.post(membersOf(workspace.id), { profileId });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("CONFLICT");
    expect((await account.api.walk(membersOf(workspace.id))).length).toBe(1);
  });

  it("answers 404 for a profile that does not exist", async () => {
    const workspace = await createWorkspace(account);
    const response = await account.api.post(membersOf(workspace.id), { profileId: MISSING_PROFILE_ID });
    expect(response.status).toBe(404);
  });

  it("answers 404 for a workspace that does not exist", async () => {
    const profileId = await createProfile(server, account);
    expect((await account.api.post(membersOf(MISSING_WORKSPACE_ID), { profileId })).status).toBe(404);
  });

  it("answers 409 for an archived workspace and adds nothing", async () => {
    const workspace = await createWorkspace(account);
    await account.api.delete(`/v1/account/workspaces/${workspace.id}`);
    const profileId = await createProfile(server, account);
    expect((await account.api.post(membersOf(workspace.id), { profileId })).status).toBe(409);
    expect(await account.api.walk(membersOf(workspace.id))).toEqual([]);
  });

  it.each([
    ["a missing profileId", {}],
    ["a malformed profileId", { profileId: "nope" }],
    ["a workspace id as profileId", { profileId: MISSING_WORKSPACE_ID }],
    ["an unknown field", { profileId: MISSING_PROFILE_ID, role: "owner" }],
    ["a client-chosen actorId", { profileId: MISSING_PROFILE_ID, actorId: "act_01JD8Z6V5TQ3R2P1N0M9K8J7H6" }],
  ])("answers 400 for %s", async (_case, body) => {
    const workspace = await createWorkspace(account);
    expect((await account.api.post(membersOf(workspace.id), body)).status).toBe(400);
  });

  it("ignores a workspaceId in the body: the path decides", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account);
    const response = await account.api.post(membersOf(workspace.id), { profileId, workspaceId: MISSING_WORKSPACE_ID });
    // The path parameter wins over the body, so the member lands in the workspace named by the URL.
    expect(response.status).toBe(201);
    expect((await account.api.walk(membersOf(workspace.id))).map((m) => m.profileId)).toEqual([profileId]);
  });
});

describe("remove member", () => {
  it("answers 200 with the removed member and drops it from the list", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account, { email: "ada@example.test", name: "Ada" });
    const added = await account.api.post(membersOf(workspace.id), { profileId });
    const removed = await account.api.delete(`${membersOf(workspace.id)}/${profileId}`);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual(added.body);
    expect(await account.api.walk(membersOf(workspace.id))).toEqual([]);
  });

  it("answers 404 when the profile is not a member, and on a second removal", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account);
    expect((await account.api.delete(`${membersOf(workspace.id)}/${profileId}`)).status).toBe(404);
    await account.api.post(membersOf(workspace.id), { profileId });
    expect((await account.api.delete(`${membersOf(workspace.id)}/${profileId}`)).status).toBe(200);
    expect((await account.api.delete(`${membersOf(workspace.id)}/${profileId}`)).status).toBe(404);
  });

  it("lets a removed member be added again, as a new actor", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account);
    const first = await account.api.post(membersOf(workspace.id), { profileId });
    await account.api.delete(`${membersOf(workspace.id)}/${profileId}`);
    const again = await account.api.post(membersOf(workspace.id), { profileId });
    expect(again.status).toBe(201);
    expect(again.body.actorId).not.toBe(first.body.actorId);
    expect((await account.api.walk(membersOf(workspace.id))).map((m) => m.actorId)).toEqual([again.body.actorId]);
  });

  it("answers 400 for a malformed profile id and 404 for a missing workspace", async () => {
    const workspace = await createWorkspace(account);
    expect((await account.api.delete(`${membersOf(workspace.id)}/not-a-profile`)).status).toBe(400);
    expect((await account.api.delete(`${membersOf(MISSING_WORKSPACE_ID)}/${MISSING_PROFILE_ID}`)).status).toBe(404);
  });

  it("still works on an archived workspace, so access can be revoked after archiving", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account);
    await account.api.post(membersOf(workspace.id), { profileId });
    await account.api.delete(`/v1/account/workspaces/${workspace.id}`);
    expect((await account.api.walk(membersOf(workspace.id))).length).toBe(1);
    expect((await account.api.delete(`${membersOf(workspace.id)}/${profileId}`)).status).toBe(200);
  });
});

describe("list members", () => {
  it("lists members in the order they were added, paginated", async () => {
    const workspace = await createWorkspace(account);
    const profileIds: string[] = [];
    for (let i = 0; i < 7; i++) {
      const profileId = await createProfile(server, account);
      profileIds.push(profileId);
      await account.api.post(membersOf(workspace.id), { profileId });
    }
    const first = await account.api.get(membersOf(workspace.id), { query: { limit: 3 } });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(3);
    expect(first.body.hasMore).toBe(true);
    const all = await account.api.walk(membersOf(workspace.id), { limit: 3 });
    expect(all.map((m) => m.profileId)).toEqual(profileIds);
  });

  it("answers 404 for a workspace that does not exist", async () => {
    expect((await account.api.get(membersOf(MISSING_WORKSPACE_ID))).status).toBe(404);
  });
});
