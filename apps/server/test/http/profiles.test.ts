import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Profile } from "@workspace-admin/contracts";
import { createAccount, createProfile, RestClient, startTestServer, type TestAccount, type TestServer } from "../support/index.ts";

let server: TestServer;
let account: TestAccount;
const people: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
  const add = async (key: string, email: string, name: string) => {
    people[key] = await createProfile(server, account, { email, name });
  };
  await add("bjorn", "bjorn.strom@example.test", "Björn Ström");
  await add("sophie", "Sophie.Muller@Example.test", "Sophie Müller");
  await add("straße", "strasse@example.test", "Hans Großstraße");
  await add("greek", "odysseus@example.test", "ΟΔΥΣΣΕΑΣ Λαέρτιος");
  await add("cyrillic", "ivan@example.test", "Иван Петров");
  await add("percent", "promo@example.test", "100% Discount_Team");
});
afterAll(() => server?.close());

const search = (query: Record<string, string | number>) => account.api.walk("/v1/account/profiles", query);
const ids = (profiles: { id: string }[]) => profiles.map((p) => p.id).sort();

describe("search profiles", () => {
  it("answers profiles with id, email, name and timestamps", async () => {
    const [profile] = await search({ email: "bjorn.strom@example.test" });
    expect(Profile.parse(profile)).toEqual(profile);
    expect(profile).toMatchObject({ id: people.bjorn, email: "bjorn.strom@example.test", name: "Björn Ström" });
  });

  it("matches query anywhere in the name or email, ignoring case", async () => {
    expect(ids(await search({ query: "STRÖM" }))).toEqual([people.bjorn]);
    expect(ids(await search({ query: "MULLER@EXAMPLE" }))).toEqual([people.sophie]);
    expect(ids(await search({ query: "müller" }))).toEqual([people.sophie]);
  });

  it("folds case for every alphabet", async () => {
    expect(ids(await search({ query: "οδυσσεας" }))).toEqual([people.greek]);
    expect(ids(await search({ query: "λΑΈΡΤΙΟΣ" }))).toEqual([people.greek]);
    expect(ids(await search({ query: "ИВАН" }))).toEqual([people.cyrillic]);
    expect(ids(await search({ query: "GROSSSTRASSE" }))).toEqual([people.straße]);
  });

  it("treats % and _ literally", async () => {
    expect(ids(await search({ query: "100%" }))).toEqual([people.percent]);
    expect(ids(await search({ query: "100_" }))).toEqual([]);
    expect(ids(await search({ query: "t_team" }))).toEqual([people.percent]);
    expect(ids(await search({ query: "%" }))).toEqual([people.percent]);
  });

  it("matches email as the whole address, ignoring case", async () => {
    expect(ids(await search({ email: "sophie.muller@example.test" }))).toEqual([people.sophie]);
    expect(ids(await search({ email: "SOPHIE.MULLER@EXAMPLE.TEST" }))).toEqual([people.sophie]);
    expect(ids(await search({ email: "sophie.muller@example" }))).toEqual([]);
  });

  it("requires both to match when query and email are given", async () => {
    expect(ids(await search({ email: "ivan@example.test", query: "Иван" }))).toEqual([people.cyrillic]);
    expect(ids(await search({ email: "ivan@example.test", query: "Björn" }))).toEqual([]);
  });

  it("lists every profile of the account without filters, paginated in id order", async () => {
    const all = await search({ limit: 2 });
    expect(all.length).toBe(Object.keys(people).length + 1); // + the admin
    expect(all.map((p) => p.id)).toEqual([...all.map((p) => p.id)].sort());
  });

  it("answers 400 for an over-long query and unknown parameters", async () => {
    expect((await account.api.get("/v1/account/profiles", { query: { query: "q".repeat(201) } })).status).toBe(400);
    expect((await account.api.get("/v1/account/profiles", { query: { sort: "name" } })).status).toBe(400);
  });

  it("answers 400 for a query or email with a NUL character, on both databases", async () => {
    for (const query of [{ query: "a\u0000" }, { email: "ada\u0000@example.test" }]) {
      const response = await account.api.get("/v1/account/profiles", { query });
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.body.code).toBe("BAD_REQUEST");
    }
  });
});

describe("the caller's own profile", () => {
  it("is created on the first call and updated when a later token carries another email or name", async () => {
    const org = account.org;
    const first = await server.token({ org, user: "user_renamed", email: "old@example.test", name: "Old Name" });
    const api = new RestClient(server.url, first);
    const [before] = (await api.get("/v1/account/profiles", { query: { email: "old@example.test" } })).body.data;
    expect(before).toMatchObject({ name: "Old Name" });

    const second = await server.token({ org, user: "user_renamed", email: "new@example.test", name: "New Name" });
    const after = await api.withToken(second).get("/v1/account/profiles", { query: { email: "new@example.test" } });
    expect(after.body.data).toEqual([expect.objectContaining({ id: before.id, name: "New Name", email: "new@example.test" })]);
    expect((await api.get("/v1/account/profiles", { query: { email: "old@example.test" } })).body.data).toEqual([]);
  });

  it("leaves out an email or name claim that no database could store as sent, keeping the rest", async () => {
    const token = await server.token({ org: account.org, user: "user_nul_claims", email: "nul@example.test", name: "Nul\u0000Name" });
    const response = await new RestClient(server.url, token).get("/v1/account/profiles", { query: { email: "nul@example.test" } });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([expect.objectContaining({ email: "nul@example.test", name: null })]);
  });

  it("answers 401 to a token whose org_id or sub no database could store as sent", async () => {
    for (const claims of [{ org: "org_\u0000x", user: "user_x" }, { org: account.org, user: "user_\uD800" }]) {
      const token = await server.token(claims);
      const response = await new RestClient(server.url, token).get("/v1/account/workspaces");
      expect(response.status, JSON.stringify(claims)).toBe(401);
    }
  });
});
