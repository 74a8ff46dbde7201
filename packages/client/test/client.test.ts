import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createProfile, startTestServer, type TestAccount, type TestServer } from "@workspace-admin/server/testing";
import { apiErrorCode, createWorkspaceAdminClient, entityTag, isApiError, type WorkspaceAdminClient, WorkspaceAdminError } from "../src/index.ts";

let server: TestServer;
let account: TestAccount;
let client: WorkspaceAdminClient;

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
  client = createWorkspaceAdminClient({ url: server.url, token: account.token });
});
afterAll(() => server?.close());

describe("createWorkspaceAdminClient", () => {
  it("creates, reads, lists and archives a workspace over /trpc with typed results", async () => {
    const created = await client.workspaces.create.mutate({ name: "From the client", description: null });
    expect(created.name).toBe("From the client");
    const fetched = await client.workspaces.get.query({ workspaceId: created.id });
    expect(fetched).toEqual(created);
    const page = await client.workspaces.list.query({ limit: 100 });
    expect(page.data.map((w) => w.id)).toContain(created.id);
    const archived = await client.workspaces.archive.mutate({ workspaceId: created.id });
    expect(archived.archivedAt).not.toBeNull();
    const withArchived = await client.workspaces.list.query({ includeArchived: "true", limit: 100 });
    expect(withArchived.data.map((w) => w.id)).toContain(created.id);
  });

  it("adds, lists and removes members", async () => {
    const workspace = await client.workspaces.create.mutate({ name: "Client members" });
    const profileId = await createProfile(server, account, { email: "member@client.test", name: "Client Member" });
    const member = await client.members.add.mutate({ workspaceId: workspace.id, profileId });
    expect(member).toMatchObject({ profileId, email: "member@client.test", name: "Client Member" });
    const members = await client.members.list.query({ workspaceId: workspace.id });
    expect(members.data.map((m) => m.profileId)).toEqual([profileId]);
    const removed = await client.members.remove.mutate({ workspaceId: workspace.id, profileId });
    expect(removed.actorId).toBe(member.actorId);
    const found = await client.profiles.search.query({ email: "MEMBER@client.test" });
    expect(found.data.map((p) => p.id)).toEqual([profileId]);
  });

  it("surfaces API errors with their code", async () => {
    await client.workspaces.create.mutate({ name: "Twice" });
    const error = await client.workspaces.create.mutate({ name: "twice" }).catch((e: unknown) => e);
    expect(apiErrorCode(error)).toBe("CONFLICT");
    const missing = await client.workspaces.get.query({ workspaceId: "ws_01JD8Z6V5TQ3R2P1N0M9K8J7H6" }).catch((e: unknown) => e);
    expect(apiErrorCode(missing)).toBe("NOT_FOUND");
  });

  it("throws WorkspaceAdminError carrying the code, the HTTP status and validation issues", async () => {
    const invalid = await client.workspaces.create.mutate({ name: "   " }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(WorkspaceAdminError);
    expect(isApiError(invalid)).toBe(true);
    const error = invalid as WorkspaceAdminError;
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.httpStatus).toBe(400);
    expect(error.issues?.map((issue) => issue.path)).toEqual([["name"]]);
    expect(error.message).toContain("name");
    const unreachable = createWorkspaceAdminClient({ url: "http://127.0.0.1:9", token: account.token });
    const network = await unreachable.workspaces.list.query({}).catch((e: unknown) => e);
    expect(network).toBeInstanceOf(WorkspaceAdminError);
    expect((network as WorkspaceAdminError).code).toBeUndefined();
  });

  it("calls the token function before each request, so a refreshed token is used", async () => {
    let calls = 0;
    const refreshing = createWorkspaceAdminClient({
      url: server.url,
      batch: false,
      token: () => {
        calls += 1;
        return account.token;
      },
    });
    await refreshing.workspaces.list.query({});
    await refreshing.workspaces.list.query({});
    expect(calls).toBe(2);
    const anonymous = createWorkspaceAdminClient({ url: server.url, token: "not-a-jwt" });
    expect(apiErrorCode(await anonymous.workspaces.list.query({}).catch((e: unknown) => e))).toBe("UNAUTHORIZED");
  });

  it("reads one member and the audit trail of what it did", async () => {
    const workspace = await client.workspaces.create.mutate({ name: "Audited from the client" });
    const profileId = await createProfile(server, account);
    const added = await client.members.add.mutate({ workspaceId: workspace.id, profileId });
    expect(await client.members.get.query({ workspaceId: workspace.id, profileId })).toEqual(added);
    const trail = await client.audit.list.query({ workspaceId: workspace.id });
    expect(trail.data.map((event) => event.action)).toEqual(["member.added", "workspace.created"]);
    expect(trail.data[0]?.changes.profileId).toEqual({ before: null, after: profileId });
    const onlyAdds = await client.audit.list.query({ workspaceId: workspace.id, action: "member.added" });
    expect(onlyAdds.data).toEqual([trail.data[0]]);
  });

  it("sends If-Match per call: a stale version is PRECONDITION_FAILED and changes nothing", async () => {
    const workspace = await client.workspaces.create.mutate({ name: "Versioned from the client" });
    const renamed = await client.workspaces.update.mutate(
      { workspaceId: workspace.id, name: "Renamed once" },
      { context: { ifMatch: entityTag(workspace) } },
    );
    expect(renamed.version).toBe(workspace.version + 1);
    const stale = await client.workspaces.update
      .mutate({ workspaceId: workspace.id, name: "Lost update" }, { context: { ifMatch: entityTag(workspace) } })
      .catch((e: unknown) => e);
    expect(apiErrorCode(stale)).toBe("PRECONDITION_FAILED");
    expect(await client.workspaces.get.query({ workspaceId: workspace.id })).toEqual(renamed);
  });

  it("sends Idempotency-Key per call: a retry answers the first answer and creates nothing more", async () => {
    const idempotencyKey = `client-${Date.now()}`;
    const [first, retry] = [
      await client.workspaces.create.mutate({ name: "Created once" }, { context: { idempotencyKey } }),
      await client.workspaces.create.mutate({ name: "Created once" }, { context: { idempotencyKey } }),
    ];
    expect(retry).toEqual(first);
    const all = await client.workspaces.list.query({ limit: 100 });
    expect(all.data.filter((w) => w.name === "Created once")).toHaveLength(1);
    const misuse = await client.workspaces.create
      .mutate({ name: "Another workspace" }, { context: { idempotencyKey } })
      .catch((e: unknown) => e);
    expect(apiErrorCode(misuse)).toBe("UNPROCESSABLE_CONTENT");
  });
});
