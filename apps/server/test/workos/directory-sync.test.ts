import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeWorkos } from "../support/fake-workos.ts";
import { createTestDatabase, RestClient, startWorkosTestServer, type WorkosTestServer } from "../support/index.ts";

const PROFILES = "/v1/account/profiles";
const WORKSPACES = "/v1/account/workspaces";

let workos: FakeWorkos;
let server: WorkosTestServer;
let sequence = 0;

beforeAll(async () => {
  workos = await FakeWorkos.start();
  server = await startWorkosTestServer(workos.env());
});
afterAll(async () => {
  await server?.close();
  await workos?.close();
});

/** A fresh organization with a synced admin, and a REST client holding the admin's WorkOS token. */
async function organization() {
  const org = `org_sync_${++sequence}_${Date.now()}`;
  const { user } = workos.person(org, { email: `admin.${sequence}@acme.test`, firstName: "Ada", lastName: "Admin" });
  await sync();
  const api = new RestClient(server.url, await workos.token({ org, user: user.id }));
  return { org, admin: user, api };
}

async function sync() {
  const directorySync = server.directorySync;
  if (!directorySync) throw new Error("directory sync is not configured");
  return directorySync.runOnce();
}

async function findByEmail(api: RestClient, email: string) {
  const response = await api.get(PROFILES, { query: { email } });
  expect(response.status).toBe(200);
  return response.body.data as { id: string; email: string | null; name: string | null }[];
}

async function snapshot() {
  return server.db.read(async (manager) => ({
    accounts: await manager.query("SELECT * FROM accounts ORDER BY id"),
    profiles: await manager.query("SELECT * FROM profiles ORDER BY id"),
    members: await manager.query("SELECT * FROM workspace_members ORDER BY id"),
    users: await manager.query("SELECT * FROM directory_users ORDER BY workos_user_id"),
  }));
}

async function workspaceWith(api: RestClient, profileId: string) {
  const created = await api.post(WORKSPACES, { name: `Team ${++sequence}` });
  expect(created.status).toBe(201);
  const added = await api.post(`${WORKSPACES}/${created.body.id}/members`, { profileId });
  expect(added.status).toBe(201);
  return created.body.id as string;
}

async function memberIds(api: RestClient, workspaceId: string) {
  const list = await api.walk(`${WORKSPACES}/${workspaceId}/members`);
  return list.map((member: { profileId: string }) => member.profileId);
}

describe("directory sync from the WorkOS Events API", () => {
  it("creates the account and its profiles from user and membership events", async () => {
    const { api, admin } = await organization();
    const [self] = await findByEmail(api, admin.email);
    expect(self).toMatchObject({ email: admin.email, name: "Ada Admin" });
    const response = await api.get(PROFILES);
    expect(response.body.data).toHaveLength(1);
  });

  it("creates a profile for each person who joins the organization", async () => {
    const { org, api } = await organization();
    workos.person(org, { email: "grace@acme.test", firstName: "Grace", lastName: "Hopper" });
    workos.person(org, { email: "linus@acme.test", firstName: "Linus" });
    expect((await findByEmail(api, "grace@acme.test"))).toHaveLength(0);
    const result = await sync();
    expect(result.applied).toBe(4);
    expect(await findByEmail(api, "grace@acme.test")).toMatchObject([{ name: "Grace Hopper" }]);
    expect(await findByEmail(api, "linus@acme.test")).toMatchObject([{ name: "Linus" }]);
  });

  it("keeps organizations apart: a person joins only the account of their organization", async () => {
    const first = await organization();
    const second = await organization();
    workos.person(first.org, { email: "only.first@acme.test" });
    await sync();
    expect(await findByEmail(first.api, "only.first@acme.test")).toHaveLength(1);
    expect(await findByEmail(second.api, "only.first@acme.test")).toHaveLength(0);
  });

  it("updates a profile when the WorkOS user changes", async () => {
    const { org, api } = await organization();
    const { user } = workos.person(org, { email: "old.name@acme.test", firstName: "Old", lastName: "Name" });
    await sync();
    const [before] = await findByEmail(api, "old.name@acme.test");
    workos.updateUser(user.id, { email: "new.name@acme.test", firstName: "New" });
    await sync();
    expect(await findByEmail(api, "old.name@acme.test")).toHaveLength(0);
    expect(await findByEmail(api, "new.name@acme.test")).toEqual([
      expect.objectContaining({ id: before!.id, email: "new.name@acme.test", name: "New Name" }),
    ]);
  });

  it("stores a WorkOS name no database could hold as sent without its NUL and lone surrogate, and syncs on", async () => {
    const { org, api } = await organization();
    workos.person(org, { email: "odd.name@acme.test", firstName: "Nu\u0000ll", lastName: "Half\uD800" });
    workos.person(org, { email: "after.odd@acme.test", firstName: "After" });
    await sync();
    expect(await findByEmail(api, "odd.name@acme.test")).toMatchObject([{ name: "Null Half\uFFFD" }]);
    expect(await findByEmail(api, "after.odd@acme.test")).toMatchObject([{ name: "After" }]);
  });

  it("fetches a user no event describes (older than WorkOS keeps events) when their membership arrives", async () => {
    const { org, api } = await organization();
    const veteran = workos.createUser({ email: "veteran@acme.test", firstName: "Vera", lastName: "Veteran" }, { emit: false });
    workos.addMembership(veteran.id, org);
    await sync();
    expect(await findByEmail(api, "veteran@acme.test")).toMatchObject([{ name: "Vera Veteran" }]);
  });

  it("ignores event types it does not use, and moves past them", async () => {
    const { org, api } = await organization();
    workos.emitUnrelated();
    workos.person(org, { email: "after.unrelated@acme.test" });
    await sync();
    expect(await findByEmail(api, "after.unrelated@acme.test")).toHaveLength(1);
  });
});

describe("removed users and memberships", () => {
  it("a deleted user's profile disappears from search, their workspace memberships end, and they cannot be added again", async () => {
    const { org, api } = await organization();
    const { user } = workos.person(org, { email: "leaver@acme.test", firstName: "Lee" });
    await sync();
    const [profile] = await findByEmail(api, "leaver@acme.test");
    const workspaceId = await workspaceWith(api, profile!.id);
    expect(await memberIds(api, workspaceId)).toContain(profile!.id);

    workos.deleteUser(user.id);
    const result = await sync();
    expect(result.membershipsEnded).toBe(1);
    expect(await findByEmail(api, "leaver@acme.test")).toHaveLength(0);
    expect(await memberIds(api, workspaceId)).not.toContain(profile!.id);
    const again = await api.post(`${WORKSPACES}/${workspaceId}/members`, { profileId: profile!.id });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/removed/);
  });

  it("a deleted membership removes the profile from that organization only", async () => {
    const first = await organization();
    const second = await organization();
    const { user, membership } = workos.person(first.org, { email: "two.orgs@acme.test" });
    workos.addMembership(user.id, second.org);
    await sync();
    const [profile] = await findByEmail(first.api, "two.orgs@acme.test");
    const workspaceId = await workspaceWith(first.api, profile!.id);

    workos.removeMembership(membership.id);
    await sync();
    expect(await findByEmail(first.api, "two.orgs@acme.test")).toHaveLength(0);
    expect(await memberIds(first.api, workspaceId)).toEqual([]);
    expect(await findByEmail(second.api, "two.orgs@acme.test")).toHaveLength(1);
  });

  it("a deactivated membership ends access; reactivation makes the profile selectable again without restoring memberships", async () => {
    const { org, api } = await organization();
    const { membership } = workos.person(org, { email: "sabbatical@acme.test" });
    await sync();
    const [profile] = await findByEmail(api, "sabbatical@acme.test");
    const workspaceId = await workspaceWith(api, profile!.id);

    workos.setMembershipStatus(membership.id, "inactive");
    await sync();
    expect(await findByEmail(api, "sabbatical@acme.test")).toHaveLength(0);
    expect(await memberIds(api, workspaceId)).toEqual([]);

    workos.setMembershipStatus(membership.id, "active");
    await sync();
    expect(await findByEmail(api, "sabbatical@acme.test")).toMatchObject([{ id: profile!.id }]);
    expect(await memberIds(api, workspaceId)).toEqual([]);
    const readded = await api.post(`${WORKSPACES}/${workspaceId}/members`, { profileId: profile!.id });
    expect(readded.status).toBe(201);
  });

  it("a removed admin is refused with 403 even with a token still within its lifetime", async () => {
    const { api, admin } = await organization();
    expect((await api.get(WORKSPACES)).status).toBe(200);
    workos.deleteUser(admin.id);
    await sync();
    const response = await api.get(WORKSPACES);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe("FORBIDDEN");
  });

  it("a re-created membership after deletion brings the person back", async () => {
    const { org, api } = await organization();
    const { user, membership } = workos.person(org, { email: "boomerang@acme.test" });
    await sync();
    workos.removeMembership(membership.id);
    await sync();
    expect(await findByEmail(api, "boomerang@acme.test")).toHaveLength(0);
    workos.addMembership(user.id, org);
    await sync();
    expect(await findByEmail(api, "boomerang@acme.test")).toHaveLength(1);
  });
});

describe("replays and ordering", () => {
  it("applying the same events again changes nothing", async () => {
    const { org } = await organization();
    const { user, membership } = workos.person(org, { email: "replayed@acme.test" });
    workos.updateUser(user.id, { firstName: "Re" });
    workos.setMembershipStatus(membership.id, "inactive");
    await sync();
    const before = await snapshot();
    // Every event again, as webhook deliveries (WorkOS retries, or sends what the poll already read).
    for (const event of workos.events) {
      const { body, signature } = workos.webhookDelivery(event);
      const response = await new RestClient(server.url).post("/webhooks/workos", undefined, {
        rawBody: body,
        headers: { "content-type": "application/json", "workos-signature": signature },
      });
      expect(response.status).toBe(200);
      expect(response.body.applied).toBe(false);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("an older change arriving after a newer one is ignored", async () => {
    const { org, api } = await organization();
    const { user } = workos.person(org, { email: "first@acme.test", firstName: "First" });
    workos.updateUser(user.id, { email: "second@acme.test", firstName: "Second" });
    workos.updateUser(user.id, { email: "third@acme.test", firstName: "Third" });
    // The newest change arrives first, by webhook; the poll then reads all three in order.
    const newest = workos.events.at(-1)!;
    const { body, signature } = workos.webhookDelivery(newest);
    const delivered = await new RestClient(server.url).post("/webhooks/workos", undefined, {
      rawBody: body,
      headers: { "content-type": "application/json", "workos-signature": signature },
    });
    expect(delivered.body.applied).toBe(true);
    await sync();
    expect(await findByEmail(api, "third@acme.test")).toMatchObject([{ name: "Third" }]);
    expect(await findByEmail(api, "second@acme.test")).toHaveLength(0);
  });

  it("a second pass with nothing new applies nothing and keeps the cursor", async () => {
    await organization();
    const first = await sync();
    const second = await sync();
    expect(second.applied).toBe(0);
    expect(second.cursor).toBe(first.cursor);
    expect(await server.directorySync!.cursor()).toBe(workos.events.at(-1)!.id);
  });
});

describe("failures", () => {
  it("a WorkOS outage mid-pass keeps the pages already applied, and the next pass resumes after them", async () => {
    const outage = await FakeWorkos.start();
    const small = await startWorkosTestServer(outage.env({ WORKOS_SYNC_PAGE_SIZE: "2" }));
    try {
      await small.directorySync!.runOnce(); // the first pass's full import, of nothing yet
      const org = "org_outage";
      outage.person(org, { email: "page.one@acme.test" });
      outage.person(org, { email: "page.two@acme.test" });
      const firstPage = outage.events[1]!.id;
      outage.failEvents = (after) => after === firstPage;

      await expect(small.directorySync!.runOnce()).rejects.toThrow();
      expect(await small.directorySync!.cursor()).toBe(firstPage);
      const emails = async () =>
        (await small.db.read((m) => m.query("SELECT email FROM profiles ORDER BY email"))).map((r: { email: string }) => r.email);
      expect(await emails()).toEqual(["page.one@acme.test"]);

      outage.failEvents = () => false;
      const resumed = await small.directorySync!.runOnce();
      expect(resumed.applied).toBe(2);
      expect(await emails()).toEqual(["page.one@acme.test", "page.two@acme.test"]);
    } finally {
      await small.close();
      await outage.close();
    }
  });
});

describe("the cursor lives in the database", () => {
  it("survives a restart: the new process resumes after the last applied event", async () => {
    const dir = mkdtempSync(join(tmpdir(), "workos-restart-"));
    const database = await createTestDatabase(dir);
    const env = workos.env({ DATABASE_URL: database.url });
    try {
      const org = `org_restart_${Date.now()}`;
      const first = await startWorkosTestServer(env);
      workos.person(org, { email: "before.restart@acme.test" });
      const passed = await first.directorySync!.runOnce();
      const cursor = passed.cursor;
      expect(cursor).toBe(workos.events.at(-1)!.id);
      await first.close();

      workos.person(org, { email: "after.restart@acme.test" });
      const second = await startWorkosTestServer(env);
      try {
        expect(await second.directorySync!.cursor()).toBe(cursor);
        const calls = workos.eventCursors.length;
        const resumed = await second.directorySync!.runOnce();
        expect(workos.eventCursors[calls]).toBe(cursor);
        expect(resumed.applied).toBe(2);
        const profiles = await second.db.read((manager) =>
          manager.query("SELECT email FROM profiles WHERE removed_at IS NULL ORDER BY email"),
        );
        expect(profiles.map((row: { email: string }) => row.email)).toEqual(
          expect.arrayContaining(["after.restart@acme.test", "before.restart@acme.test"]),
        );
      } finally {
        await second.close();
      }
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("two processes syncing one database", () => {
  it("passes running at once apply every event exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "workos-twice-"));
    const source = await FakeWorkos.start();
    const database = await createTestDatabase(dir);
    const env = source.env({ DATABASE_URL: database.url, WORKOS_SYNC_PAGE_SIZE: "3" });
    const a = await startWorkosTestServer(env);
    const b = await startWorkosTestServer(env);
    try {
      await Promise.all([a.directorySync!.runOnce(), b.directorySync!.runOnce()]);
      for (let i = 0; i < 10; i++) source.person("org_twice", { email: `twice${i}@acme.test` });
      const results = await Promise.all([a.directorySync!.runOnce(), b.directorySync!.runOnce()]);
      expect(results[0].applied + results[1].applied).toBe(20);
      const counts = await a.db.read(async (m) => ({
        events: await m.query("SELECT COUNT(*) AS n FROM directory_sync_events WHERE event_id LIKE 'event_%'"),
        profiles: await m.query("SELECT COUNT(*) AS n FROM profiles"),
      }));
      expect(Number(counts.events[0].n)).toBe(20);
      expect(Number(counts.profiles[0].n)).toBe(10);
      expect(await b.directorySync!.cursor()).toBe(source.events.at(-1)!.id);
    } finally {
      await a.close();
      await b.close();
      await source.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the server polls on an interval", () => {
  it("applies new events without being asked when WORKOS_SYNC_INTERVAL_SECONDS is set", async () => {
    const polling = await startWorkosTestServer(workos.env({ WORKOS_SYNC_INTERVAL_SECONDS: "1" }));
    try {
      const org = `org_interval_${Date.now()}`;
      workos.person(org, { email: "polled@acme.test" });
      const deadline = Date.now() + 10_000;
      let found = 0;
      while (Date.now() < deadline && found === 0) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const rows = await polling.db.read((manager) =>
          manager.query("SELECT id FROM profiles WHERE email = 'polled@acme.test'"),
        );
        found = rows.length;
      }
      expect(found).toBe(1);
    } finally {
      await polling.close();
    }
  });
});

describe("the full import", () => {
  let fresh: FakeWorkos;
  let importing: WorkosTestServer;
  beforeAll(async () => {
    fresh = await FakeWorkos.start();
  });
  afterAll(async () => {
    await importing?.close();
    await fresh?.close();
  });

  it("the first pass ever imports organizations whose events WorkOS no longer keeps, page by page", async () => {
    const org = "org_long_standing";
    const { user: admin } = fresh.person(org, { email: "admin@old.test", firstName: "Old", lastName: "Admin" });
    for (let i = 0; i < 104; i++) fresh.person(org, { email: `member${String(i).padStart(3, "0")}@old.test` });
    const { membership: away } = fresh.person(org, { email: "away@old.test" });
    fresh.setMembershipStatus(away.id, "inactive");
    fresh.expireEvents();

    importing = await startWorkosTestServer(fresh.env());
    const result = await importing.directorySync!.runOnce();
    expect(result.imported).toMatchObject({ organizations: 1, profilesChanged: 106 });
    expect(result.applied).toBe(0);
    expect(fresh.listCalls.filter((call) => call.startsWith("/user_management/organization_memberships")).length).toBeGreaterThan(1);

    const api = new RestClient(importing.url, await fresh.token({ org, user: admin.id }));
    const people = await api.walk(PROFILES, { limit: 100 });
    expect(people).toHaveLength(105);
    expect(people).toContainEqual(expect.objectContaining({ email: "admin@old.test", name: "Old Admin" }));
    expect(people.some((person: { email: string }) => person.email === "away@old.test")).toBe(false);
  });

  it("importing an unchanged directory again changes nothing; a later pass does not import", async () => {
    const before = await importing.db.read((manager) => manager.query("SELECT * FROM profiles ORDER BY id"));
    const again = await importing.directorySync!.runOnce({ full: true });
    expect(again.imported).toMatchObject({ organizations: 1, profilesChanged: 0 });
    expect(await importing.db.read((manager) => manager.query("SELECT * FROM profiles ORDER BY id"))).toEqual(before);
    const later = await importing.directorySync!.runOnce();
    expect(later.imported).toBeUndefined();
  });
});
