import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeWorkos } from "../support/fake-workos.ts";
import { RestClient, startWorkosTestServer, type WorkosTestServer } from "../support/index.ts";

const WORKSPACES = "/v1/account/workspaces";
const EVENTS = "/v1/account/audit-events";

let workos: FakeWorkos;
let server: WorkosTestServer;

beforeAll(async () => {
  workos = await FakeWorkos.start();
  server = await startWorkosTestServer(workos.env());
});
afterAll(async () => {
  await server?.close();
  await workos?.close();
});

describe("the audit trail of directory sync", () => {
  it("records each membership a removed WorkOS user loses, made by the system, naming the WorkOS event", async () => {
    const org = `org_sync_audit_${Date.now()}`;
    const { user: admin } = workos.person(org, { email: "admin@audit-sync.test", firstName: "Ada" });
    const { user: leaver } = workos.person(org, { email: "leaver@audit-sync.test", firstName: "Lee" });
    await server.directorySync!.runOnce();
    const api = new RestClient(server.url, await workos.token({ org, user: admin.id }));
    const profileId = (await api.get("/v1/account/profiles", { query: { email: "leaver@audit-sync.test" } })).body.data[0].id;
    const workspaceIds: string[] = [];
    for (const name of ["Audit sync one", "Audit sync two"]) {
      const workspace = await api.post(WORKSPACES, { name });
      expect((await api.post(`${WORKSPACES}/${workspace.body.id}/members`, { profileId })).status).toBe(201);
      workspaceIds.push(workspace.body.id);
    }

    workos.deleteUser(leaver.id);
    expect((await server.directorySync!.runOnce()).membershipsEnded).toBe(2);

    const removals = await api.walk(EVENTS, { action: "member.removed" });
    expect(removals.map((e: { workspaceId: string }) => e.workspaceId).sort()).toEqual([...workspaceIds].sort());
    for (const event of removals) {
      expect(event).toMatchObject({
        actorProfileId: null,
        targetType: "member",
        targetId: profileId,
        requestId: expect.stringMatching(/^event_/),
        changes: { profileId: { before: profileId, after: null } },
      });
    }
    // Applying the pass again ends nothing more and records nothing more.
    await server.directorySync!.runOnce();
    expect(await api.walk(EVENTS, { action: "member.removed" })).toEqual(removals);
  });
});
