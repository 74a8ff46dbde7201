import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createProfile, createWorkspace, startTestServer, type TestAccount, type TestServer } from "../support/index.ts";

let server: TestServer;
let mine: TestAccount;
let theirs: TestAccount;
let theirWorkspace: { id: string };
let theirProfileId: string;
let myWorkspace: { id: string };
let myProfileId: string;

beforeAll(async () => {
  server = await startTestServer();
  mine = await createAccount(server);
  theirs = await createAccount(server);
  theirWorkspace = await createWorkspace(theirs, "Their workspace");
  theirProfileId = await createProfile(server, theirs, { email: "secret@theirs.test", name: "Their Person" });
  await theirs.api.post(`/v1/account/workspaces/${theirWorkspace.id}/members`, { profileId: theirProfileId });
  myWorkspace = await createWorkspace(mine, "My workspace");
  myProfileId = await createProfile(server, mine);
});
afterAll(() => server?.close());

async function theirState() {
  return {
    workspace: (await theirs.api.get(`/v1/account/workspaces/${theirWorkspace.id}`)).body,
    members: await theirs.api.walk(`/v1/account/workspaces/${theirWorkspace.id}/members`),
  };
}

describe("account isolation", () => {
  it("answers 404 for another account's workspace on every route that takes one, and changes nothing", async () => {
    const before = await theirState();
    const ws = `/v1/account/workspaces/${theirWorkspace.id}`;
    const attempts = [
      mine.api.get(ws),
      mine.api.patch(ws, { name: "Hijacked" }),
      mine.api.delete(ws),
      mine.api.get(`${ws}/members`),
      mine.api.post(`${ws}/members`, { profileId: myProfileId }),
      mine.api.delete(`${ws}/members/${theirProfileId}`),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(404);
      expect(response.body.code).toBe("NOT_FOUND");
    }
    expect(await theirState()).toEqual(before);
  });

  it("answers 404 when adding another account's profile to my workspace", async () => {
    const response = await mine.api.post(`/v1/account/workspaces/${myWorkspace.id}/members`, { profileId: theirProfileId });
    expect(response.status).toBe(404);
    expect(await mine.api.walk(`/v1/account/workspaces/${myWorkspace.id}/members`)).toEqual([]);
  });

  it("never lists another account's workspaces or profiles", async () => {
    const workspaces = await mine.api.walk("/v1/account/workspaces", { includeArchived: true });
    expect(workspaces.map((w) => w.id)).not.toContain(theirWorkspace.id);
    const profiles = await mine.api.walk("/v1/account/profiles");
    expect(profiles.map((p) => p.id)).not.toContain(theirProfileId);
    expect(await mine.api.walk("/v1/account/profiles", { email: "secret@theirs.test" })).toEqual([]);
  });

  it("answers the same 404 body for another account's id as for an id that does not exist", async () => {
    const foreign = await mine.api.get(`/v1/account/workspaces/${theirWorkspace.id}`);
    const missing = await mine.api.get("/v1/account/workspaces/ws_01JD8Z6V5TQ3R2P1N0M9K8J7H6");
    expect(foreign.body).toEqual(missing.body);
  });

  it("lets the same name exist in two accounts", async () => {
    expect((await mine.api.post("/v1/account/workspaces", { name: "Their workspace" })).status).toBe(201);
  });

  it("keeps isolation over tRPC too", async () => {
    const input = encodeURIComponent(JSON.stringify({ workspaceId: theirWorkspace.id }));
    const response = await mine.api.get(`/trpc/workspaces.get?input=${input}`);
    expect(response.status).toBe(404);
  });
});
