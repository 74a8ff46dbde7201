import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiResponse,
  serverRoot,
  createAccount,
  createProfile,
  createWorkspace,
  startTestServer,
  testDialect,
  type TestAccount,
  type TestServer,
} from "../support/index.ts";

// Races decided by the database, on whichever database this run uses (SQLite, or PostgreSQL under
// `npm run test:pg`). Every request of a burst is sent before any answer is awaited.

let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
});
afterAll(() => server?.close());

const workspaces = "/v1/account/workspaces";
const statuses = (responses: ApiResponse[]) => responses.map((r) => r.status).sort((a, b) => a - b);
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

it("runs on the database this run was asked for", () => {
  expect(server.db.dialect).toBe(testDialect);
});

describe("the same profile added by 20 concurrent requests", () => {
  it("answers exactly one 201 and nineteen 409s, and leaves one member", async () => {
    const workspace = await createWorkspace(account);
    const profileId = await createProfile(server, account);
    const responses = await Promise.all(
      times(20, () => account.api.post(`${workspaces}/${workspace.id}/members`, { profileId })),
    );
    expect(statuses(responses)).toEqual([201, ...times(19, () => 409)]);
    for (const response of responses.filter((r) => r.status === 409)) expect(response.body.code).toBe("CONFLICT");
    const members = await account.api.walk(`${workspaces}/${workspace.id}/members`);
    expect(members.map((m) => m.profileId)).toEqual([profileId]);
  });
});

describe("20 concurrent creates of one workspace name", () => {
  it("answers exactly one 201 and nineteen 409s, whatever the letter case", async () => {
    const name = `Race ${Math.random().toString(36).slice(2, 8)}`;
    const responses = await Promise.all(
      times(20, (i) => account.api.post(workspaces, { name: i % 2 ? name.toUpperCase() : name.toLowerCase() })),
    );
    expect(statuses(responses)).toEqual([201, ...times(19, () => 409)]);
    const active = await account.api.walk(workspaces);
    expect(active.filter((w) => w.name.toLowerCase() === name.toLowerCase())).toHaveLength(1);
  });
});

describe("archive racing add-member on one workspace", () => {
  it("never leaves a member added after the archive, over 10 rounds", async () => {
    const profiles = await Promise.all(times(6, () => createProfile(server, account)));
    for (let round = 0; round < 10; round++) {
      const workspace = await createWorkspace(account);
      const adds = profiles.map((profileId) => account.api.post(`${workspaces}/${workspace.id}/members`, { profileId }));
      // The archive goes out in the middle of the adds.
      adds.splice(round % profiles.length, 0, account.api.delete(`${workspaces}/${workspace.id}`));
      const responses = await Promise.all(adds);
      const archive = responses[round % profiles.length];
      const addResponses = responses.filter((r) => r !== archive);
      expect(archive?.status).toBe(200);
      for (const response of addResponses) expect([201, 409]).toContain(response.status);

      const archivedAt: string = archive?.body.archivedAt;
      const added = addResponses.filter((r) => r.status === 201);
      // Every member that made it in was added before the archive took effect...
      expect(added.filter((r) => r.body.addedAt > archivedAt).map((r) => r.body)).toEqual([]);
      // ...and the members listed are exactly those, none slipped in afterwards.
      const members = await account.api.walk(`${workspaces}/${workspace.id}/members`);
      expect(members.map((m) => m.profileId).sort()).toEqual(added.map((r) => r.body.profileId).sort());
      // Refused adds were refused for the archive, not for anything else.
      for (const response of addResponses.filter((r) => r.status === 409)) {
        expect(response.body.message).toMatch(/archived/);
      }
    }
  });
});

describe("many concurrent transactions on one server", () => {
  it("keep each other's writes: failures roll back only themselves, and nothing answers 5xx", async () => {
    // Half the requests fail inside a write transaction (duplicate name, archived workspace); on a shared
    // SQLite connection an interleaved rollback would take other requests' rows with it.
    const archived = await createWorkspace(account);
    await account.api.delete(`${workspaces}/${archived.id}`);
    const taken = await createWorkspace(account);
    const profileId = await createProfile(server, account);
    const prefix = `Kept ${Math.random().toString(36).slice(2, 8)}`;
    const requests = times(60, (i) => {
      if (i % 3 === 0) return account.api.post(workspaces, { name: `${prefix} ${i}` });
      if (i % 3 === 1) return account.api.post(workspaces, { name: taken.name });
      return account.api.post(`${workspaces}/${archived.id}/members`, { profileId });
    });
    const responses = await Promise.all(requests);
    expect(responses.filter((r) => r.status >= 500)).toEqual([]);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(20);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(40);
    const names = (await account.api.walk(workspaces)).map((w) => w.name);
    for (let i = 0; i < 60; i += 3) expect(names).toContain(`${prefix} ${i}`);
  });
});

describe("a second process writing the same database while the server takes writes", () => {
  it("neither side fails: no SQLITE_BUSY, no 5xx, every write kept", async () => {
    const seed = spawn(process.execPath, ["--import", "tsx", "src/cli/seed.ts"], {
      cwd: serverRoot,
      env: { ...process.env, DATABASE_URL: server.config.database.dialect === "sqlite" ? `sqlite:${server.config.database.file}` : server.config.database.url, DATA_DIR: server.config.dataDir, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    seed.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    seed.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const seeded = new Promise<number | null>((resolve) => seed.once("exit", resolve));

    const prefix = `Beside seed ${Math.random().toString(36).slice(2, 8)}`;
    const created: ApiResponse[] = [];
    let round = 0;
    // Keep writing until the seed is done (and at least a few rounds, in case it is quick).
    for (let done = false; !done || round < 3; round++) {
      const burst = await Promise.all(times(10, (i) => account.api.post(workspaces, { name: `${prefix} ${round}-${i}` })));
      created.push(...burst);
      done = seed.exitCode !== null;
    }
    expect(await seeded, output).toBe(0);
    expect(output).toMatch(/Seeded org_demo/);
    expect(created.filter((r) => r.status !== 201).map((r) => [r.status, r.body])).toEqual([]);
    const names = new Set((await account.api.walk(workspaces)).map((w) => w.name));
    expect(created.every((r) => names.has(r.body.name))).toBe(true);
    // Starting a second process (tsx) dominates the time; on a busy machine it can take a while.
  }, 120_000);
});
