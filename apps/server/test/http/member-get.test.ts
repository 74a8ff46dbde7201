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

const memberPath = (workspaceId: string, profileId: string) => `/v1/account/workspaces/${workspaceId}/members/${profileId}`;

describe("get one member", () => {
  it("answers the member as the list and the add answered it", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account, { email: "one@member.test", name: "One Member" });
    const added = await account.api.post(`/v1/account/workspaces/${workspace.id}/members`, { profileId });
    const response = await account.api.get(memberPath(workspace.id, profileId));
    expect(response.status).toBe(200);
    expect(WorkspaceMember.parse(response.body)).toEqual(added.body);
    expect(response.body).toMatchObject({ profileId, email: "one@member.test", name: "One Member" });
    const listed = await account.api.walk(`/v1/account/workspaces/${workspace.id}/members`);
    expect(listed).toEqual([response.body]);
  });

  it("answers 404 for a profile of the account that is not a member, and after removal", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account);
    const notMember = await account.api.get(memberPath(workspace.id, profileId));
    expect(notMember.status).toBe(404);
    expect(notMember.body).toMatchObject({ code: "NOT_FOUND", message: "Member not found" });
    await account.api.post(`/v1/account/workspaces/${workspace.id}/members`, { profileId });
    await account.api.delete(memberPath(workspace.id, profileId));
    expect((await account.api.get(memberPath(workspace.id, profileId))).status).toBe(404);
  });

  it("answers a member of an archived workspace (archived workspaces can be read)", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account);
    await account.api.post(`/v1/account/workspaces/${workspace.id}/members`, { profileId });
    await account.api.delete(`/v1/account/workspaces/${workspace.id}`);
    expect((await account.api.get(memberPath(workspace.id, profileId))).status).toBe(200);
  });

  it("answers 404 for a missing workspace or profile", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account);
    const missingWorkspace = await account.api.get(memberPath(MISSING_WORKSPACE_ID, profileId));
    expect(missingWorkspace.status).toBe(404);
    expect(missingWorkspace.body.message).toBe("Workspace not found");
    expect((await account.api.get(memberPath(workspace.id, MISSING_PROFILE_ID))).status).toBe(404);
  });

  it("answers 404 for another account's workspace and member, as if they did not exist", async () => {
    const other = await createAccount(server);
    const theirs = await createWorkspace(other);
    const theirProfile = await createProfile(server, other);
    expect((await other.api.post(`/v1/account/workspaces/${theirs.id}/members`, { profileId: theirProfile })).status).toBe(201);
    expect((await other.api.get(memberPath(theirs.id, theirProfile))).status).toBe(200);
    const response = await account.api.get(memberPath(theirs.id, theirProfile));
    expect(response.status).toBe(404);
    expect(response.body.message).toBe("Workspace not found");
  });

  it.each([
    ["a malformed workspace id", "not-a-workspace", MISSING_PROFILE_ID],
    ["a malformed profile id", MISSING_WORKSPACE_ID, "prof_bad"],
    ["a profile id of the wrong type", MISSING_WORKSPACE_ID, MISSING_WORKSPACE_ID],
  ])("answers 400 for %s", async (_case, workspaceId, profileId) => {
    const response = await account.api.get(memberPath(workspaceId, profileId));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("BAD_REQUEST");
  });

  it("needs an admin token", async () => {
    const workspace = await createWorkspace(account);
    expect((await account.api.get(memberPath(workspace.id, MISSING_PROFILE_ID), { token: null })).status).toBe(401);
    const member = await server.token({ org: account.org, user: "user_not_admin", role: "member" });
    expect((await account.api.get(memberPath(workspace.id, MISSING_PROFILE_ID), { token: member })).status).toBe(403);
  });

  it("is in the OpenAPI document", async () => {
    const document = (await account.api.get("/openapi.json")).body;
    const item = document.paths["/v1/account/workspaces/{workspaceId}/members/{profileId}"];
    expect(item.get).toMatchObject({ operationId: "membersGet" });
    expect(item.get.responses).toHaveProperty("404");
    expect(document.paths["/v1/account/audit-events"].get).toMatchObject({ operationId: "auditList" });
  });
});
