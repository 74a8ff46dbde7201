/**
 * The attack suite: the OWASP API Security Top 10 (2023) tried on every procedure of the contract
 * table, over REST and over tRPC. Every attack is a row of `cases` (attack-cases.ts), whose keys must be
 * exactly the procedures of `endpoints`, so a new procedure cannot ship without its attacks.
 */
import { randomUUID } from "node:crypto";
import { type EndpointName, endpointNames, endpoints, TRPC_BATCH_MAX } from "@workspace-admin/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BODY_LIMIT_BYTES } from "../../src/http/app.ts";
import { type ApiResponse, createAccount, RestClient, startTestServer, type TestServer } from "../support/index.ts";
import {
  buildWorld,
  call,
  callRest,
  callTrpc,
  cases,
  dataOf,
  errorCodeOf,
  expectDefensiveHeaders,
  expectError,
  type Input,
  leaksIn,
  listNames,
  type Protocol,
  protocols,
  restRequest,
  snapshotDatabase,
  successStatus,
  undocumentedFields,
  type World,
  writeNames,
} from "./attack-cases.ts";
import { forgeries, forgeryContext } from "./forged-tokens.ts";

let server: TestServer;
let w: World;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  w = await buildWorld(server);
  token = w.mine.account.token;
});
afterAll(() => server?.close());

const unique = () => randomUUID().slice(0, 8);
const snapshot = () => snapshotDatabase(server.database!);
const label = (protocol: Protocol, name: EndpointName, what = "") => `${protocol} ${name}${what ? ` (${what})` : ""}`;

/** Every procedure, over both protocols. */
const everyCall = endpointNames.flatMap((name) => protocols.map((protocol) => ({ name, protocol })));
const everyWrite = writeNames.flatMap((name) => protocols.map((protocol) => ({ name, protocol })));

/** Rows whose column equals the value, on either dialect. */
async function count(table: string, column: string, value: string): Promise<number> {
  const placeholder = server.database!.dialect === "postgres" ? "$1" : "?";
  const [row] = await server.database!.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ${placeholder}`, [value]);
  return Number(row!.n);
}

describe("the case table", () => {
  it("has cases for exactly the procedures of the contract table", () => {
    expect(Object.keys(cases).sort()).toEqual([...endpointNames].sort());
  });

  it("marks as lists exactly the procedures that take a page size and a cursor", () => {
    for (const name of endpointNames) {
      const shape = endpoints[name].input.shape as Record<string, unknown>;
      expect(cases[name].list, name).toBe("limit" in shape && "cursor" in shape);
    }
  });

  it("gives every procedure that takes an id its foreign-id probes", () => {
    for (const name of endpointNames) {
      const shape = endpoints[name].input.shape as Record<string, unknown>;
      const takesId = Object.keys(shape).some((key) => /Id$/.test(key));
      if (takesId) expect(cases[name].foreign, name).not.toBeNull();
    }
  });
});

// API2:2023 Broken Authentication ------------------------------------------------------------------------

describe("authentication (API2)", () => {
  it.each(forgeries)("answers 401 to $label on every procedure, REST and tRPC, and writes nothing", async (forgery) => {
    const org = `org_forger_${unique()}`;
    const forged = await forgery.forge(await forgeryContext(server, org, w.theirs.account.org));
    const before = await snapshot();
    const responses = await Promise.all(
      everyCall.map(async ({ name, protocol }) => {
        const options = forgery.queryParameter
          ? { token: null, query: { [forgery.queryParameter]: forged! } }
          : { token: forged };
        return { name, protocol, response: await call(protocol, server.url, name, cases[name].sample(w), options) };
      }),
    );
    for (const { name, protocol, response } of responses) expectError(response, protocol, 401, "UNAUTHORIZED", label(protocol, name));
    expect(await snapshot()).toEqual(before);
    expect(await count("accounts", "workos_organization_id", org)).toBe(0);
  });
});

// API5:2023 Broken Function Level Authorization ---------------------------------------------------------

describe("function level authorization (API5)", () => {
  it("answers 403 to a member (not admin) of a new organization on every procedure, reads included, and creates neither account nor profile", async () => {
    const org = `org_members_${unique()}`;
    const memberToken = await server.token({ org, user: "user_member", role: "member", email: "member@example.test", name: "Member" });
    const before = await snapshot();
    for (const { name, protocol } of everyCall) {
      const response = await call(protocol, server.url, name, cases[name].sample(w), { token: memberToken });
      expectError(response, protocol, 403, "FORBIDDEN", label(protocol, name));
    }
    expect(await count("accounts", "workos_organization_id", org)).toBe(0);
    expect(await count("profiles", "workos_user_id", "user_member")).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it("answers 403 to a member (not admin) of an existing account on every procedure, reads included, and changes nothing", async () => {
    const user = `user_member_${unique()}`;
    const memberToken = await server.token({ org: w.mine.account.org, user, role: "member" });
    const before = await snapshot();
    for (const { name, protocol } of everyCall) {
      const response = await call(protocol, server.url, name, cases[name].sample(w), { token: memberToken });
      expectError(response, protocol, 403, "FORBIDDEN", label(protocol, name));
    }
    expect(await count("profiles", "workos_user_id", user)).toBe(0);
    expect(await snapshot()).toEqual(before);
  });
});

// API1:2023 Broken Object Level Authorization -----------------------------------------------------------

/** The answer with every id of the call replaced, so that answers about different ids compare equal. */
function normalized(response: ApiResponse, input: Input): unknown {
  let text = JSON.stringify(response.body);
  for (const value of Object.values(input)) if (typeof value === "string" && value.length > 3) text = text.replaceAll(value, "<id>");
  return { status: response.status, body: JSON.parse(text) as unknown };
}

describe("object level authorization (API1)", () => {
  const withIds = endpointNames.filter((name) => cases[name].foreign !== null);

  it.each(withIds)("answers another account's ids on %s exactly like ids that do not exist, REST and tRPC, and changes nothing", async (name) => {
    const probes = cases[name].foreign!(w);
    expect(probes.length).toBeGreaterThan(0);
    const before = await snapshot();
    for (const protocol of protocols) {
      for (const probe of probes) {
        const what = label(protocol, name, probe.label);
        const foreign = await call(protocol, server.url, name, probe.foreign, { token });
        const missing = await call(protocol, server.url, name, probe.missing, { token });
        if (probe.status === 404) expectError(foreign, protocol, 404, "NOT_FOUND", what);
        else {
          expect(foreign.status, what).toBe(200);
          expect((dataOf(protocol, foreign) as { data: unknown[] }).data, what).toEqual([]);
        }
        expect(normalized(foreign, probe.foreign), what).toEqual(normalized(missing, probe.missing));
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it("never lists another account's workspaces, members, profiles or audit events, REST and tRPC", async () => {
    const theirIds = [w.theirs.workspaceId, w.theirs.memberProfileId, w.theirs.spareProfileId, w.theirs.account.adminProfileId, w.theirs.account.accountId];
    const lists: [EndpointName, Input][] = [
      ["workspaces.list", { limit: 100, includeArchived: "true" }],
      ["members.list", { workspaceId: w.mine.workspaceId, limit: 100 }],
      ["profiles.search", { limit: 100 }],
      ["profiles.search", { query: "Theirs", limit: 100 }],
      ["audit.list", { limit: 100 }],
    ];
    expect(lists.map(([name]) => name).sort()).toEqual([...listNames, "profiles.search"].sort());
    for (const protocol of protocols) {
      for (const [name, input] of lists) {
        const response = await call(protocol, server.url, name, input, { token });
        expect(response.status, label(protocol, name)).toBe(200);
        const page = dataOf(protocol, response) as { data: unknown[]; hasMore: boolean };
        expect(page.hasMore, label(protocol, name)).toBe(false);
        const text = JSON.stringify(page);
        for (const id of theirIds) expect(text, `${label(protocol, name)} shows ${id}`).not.toContain(id);
      }
    }
  });
});

// API3:2023 Broken Object Property Level Authorization --------------------------------------------------

const FORBIDDEN_FIELDS: Record<string, unknown> = {
  id: "ws_01JD8Z6V5TQ3R2P1N0M9K8J7H6",
  accountId: "acct_01JD8Z6V5TQ3R2P1N0M9K8J7H6",
  archivedAt: "2020-01-01T00:00:00.000Z",
  createdAt: "2020-01-01T00:00:00.000Z",
  updatedAt: "2020-01-01T00:00:00.000Z",
  version: 99,
  isAdmin: true,
};

describe("object property level authorization (API3)", () => {
  it.each(Object.keys(FORBIDDEN_FIELDS))("answers 400 to `%s` in the input of every write, REST and tRPC, and changes nothing", async (field) => {
    const attempts = [];
    for (const { name, protocol } of everyWrite) attempts.push({ name, protocol, input: await cases[name].fresh(w) });
    const before = await snapshot();
    for (const { name, protocol, input } of attempts) {
      const response = await call(protocol, server.url, name, { ...input, [field]: FORBIDDEN_FIELDS[field] }, { token });
      expectError(response, protocol, 400, "BAD_REQUEST", label(protocol, name, field));
    }
    expect(await snapshot()).toEqual(before);
    // The same inputs without the field succeed: the field alone was refused.
    for (const { name, protocol, input } of attempts) {
      const response = await call(protocol, server.url, name, input, { token });
      expect(response.status, label(protocol, name, "without the field")).toBe(successStatus(protocol, name));
    }
  });

  it.each(endpointNames)("answers %s with only the fields its output schema documents, REST and tRPC", async (name) => {
    for (const protocol of protocols) {
      const response = await call(protocol, server.url, name, await cases[name].fresh(w), { token });
      const what = label(protocol, name);
      expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(successStatus(protocol, name));
      if (protocol === "trpc") {
        expect(Object.keys(response.body), what).toEqual(["result"]);
        expect(Object.keys(response.body.result), what).toEqual(["data"]);
      }
      const data = dataOf(protocol, response);
      expect(endpoints[name].output.safeParse(data).success, what).toBe(true);
      const { extra, visited } = undocumentedFields(endpoints[name].output, data);
      expect(extra, what).toEqual([]);
      // A page was checked item by item, not only its envelope.
      if (cases[name].list) expect(visited, `${what}: items checked`).toBeGreaterThan(1);
      else expect(visited, what).toBeGreaterThan(0);
    }
  });
});

// API4:2023 Unrestricted Resource Consumption ------------------------------------------------------------

/**
 * What a write sends as its body: the REST body (path parameters left out), or the whole tRPC input.
 * A REST DELETE takes its input from the path and query; the body sent along is the input itself, so
 * that it is never empty (a body-less DELETE needs no content type).
 */
function bodyOf(protocol: Protocol, name: EndpointName, input: Input): Input {
  return protocol === "trpc" ? input : (restRequest(name, input).body ?? input);
}

describe("resource consumption (API4)", () => {
  it(`answers 413 to a body over ${BODY_LIMIT_BYTES} bytes on every write, REST and tRPC, changing nothing, and accepts one just under`, async () => {
    const attempts = [];
    for (const { name, protocol } of everyWrite) attempts.push({ name, protocol, input: await cases[name].fresh(w) });
    const before = await snapshot();
    for (const { name, protocol, input } of attempts) {
      const rawBody = JSON.stringify({ ...bodyOf(protocol, name, input), padding: "x".repeat(BODY_LIMIT_BYTES) });
      const response = await call(protocol, server.url, name, input, { token, rawBody, headers: { "content-type": "application/json" } });
      expectError(response, protocol, 413, "PAYLOAD_TOO_LARGE", label(protocol, name));
    }
    expect(await snapshot()).toEqual(before);
    for (const { name, protocol, input } of attempts) {
      const json = JSON.stringify(bodyOf(protocol, name, input));
      const rawBody = json + " ".repeat(BODY_LIMIT_BYTES - Buffer.byteLength(json) - 16);
      const response = await call(protocol, server.url, name, input, { token, rawBody, headers: { "content-type": "application/json" } });
      expect(response.status, label(protocol, name, "just under the limit")).toBe(successStatus(protocol, name));
    }
  });

  it.each(listNames)("answers 400 to page sizes outside 1-100 on %s, REST and tRPC, and serves 100", async (name) => {
    const input = await cases[name].fresh(w);
    for (const protocol of protocols) {
      for (const limit of [101, 1000, -1, 1e9, 0, 1.5]) {
        const response = await call(protocol, server.url, name, { ...input, limit }, { token });
        expectError(response, protocol, 400, "BAD_REQUEST", label(protocol, name, `limit=${limit}`));
      }
      const response = await call(protocol, server.url, name, { ...input, limit: 100 }, { token });
      expect(response.status, label(protocol, name, "limit=100")).toBe(200);
    }
  });

  it.each(endpointNames)("answers 400 to strings and ids over their limits on %s, REST and tRPC, and changes nothing", async (name) => {
    const oversized = cases[name].oversized(w);
    expect(oversized.length).toBeGreaterThan(0);
    const before = await snapshot();
    for (const protocol of protocols) {
      for (const { label: what, input } of oversized) {
        const response = await call(protocol, server.url, name, input, { token });
        expectError(response, protocol, 400, "BAD_REQUEST", label(protocol, name, what));
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  /** `/trpc/a,b,...?batch=1` with the inputs keyed by position. */
  function batch(names: EndpointName[], inputs: Input[]) {
    const api = new RestClient(server.url, token);
    const path = `/trpc/${names.join(",")}`;
    const keyed = JSON.stringify(Object.fromEntries(inputs.map((input, index) => [String(index), input])));
    return endpoints[names[0]!].method === "GET"
      ? api.get(path, { query: { batch: 1, input: keyed } })
      : api.post(path, JSON.parse(keyed), { query: { batch: 1 } });
  }

  it(`answers 400 to a tRPC batch of ${TRPC_BATCH_MAX + 1} calls and runs none of them`, async () => {
    const reads = Array.from({ length: TRPC_BATCH_MAX + 1 }, () => "workspaces.list" as const);
    expectError(await batch(reads, reads.map(() => ({ limit: 1 }))), "trpc", 400, undefined, "batch of queries");
    const creates = Array.from({ length: TRPC_BATCH_MAX + 1 }, () => "workspaces.create" as const);
    const names = creates.map(() => `Batched ${unique()}`);
    const before = await snapshot();
    expectError(await batch(creates, names.map((name) => ({ name }))), "trpc", 400, undefined, "batch of mutations");
    expect(await snapshot()).toEqual(before);
  });

  it(`serves a tRPC batch of ${TRPC_BATCH_MAX} calls`, async () => {
    const reads = endpointNames.filter((name) => endpoints[name].method === "GET");
    const names = Array.from({ length: TRPC_BATCH_MAX }, (_, index) => reads[index % reads.length]!);
    const inputs = await Promise.all(names.map((name) => cases[name].fresh(w)));
    const response = await batch(names, inputs);
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(TRPC_BATCH_MAX);
    for (const entry of response.body) expect(entry.result.data).toBeDefined();
    const creates = Array.from({ length: TRPC_BATCH_MAX }, () => "workspaces.create" as const);
    const created = await batch(creates, creates.map(() => ({ name: `Batched ${unique()}` })));
    expect(created.status).toBe(200);
    expect(created.body.map((entry: { result: { data: { version: number } } }) => entry.result.data.version)).toEqual(creates.map(() => 1));
  });
});

// API8:2023 Security Misconfiguration --------------------------------------------------------------------

describe("security misconfiguration (API8)", () => {
  it("sets the defensive headers on success and error answers of every procedure, REST and tRPC, on the read fast path and through express", async () => {
    for (const { name, protocol } of everyCall) {
      // A GET with an Idempotency-Key skips the read fast path (src/http/fast-reads.ts) and goes through express.
      const routes: Record<string, string>[] = endpoints[name].method === "GET" ? [{}, { "idempotency-key": `probe-${unique()}` }] : [{}];
      for (const headers of routes) {
        const route = Object.keys(headers).length === 0 ? "" : "through express";
        const success = await call(protocol, server.url, name, await cases[name].fresh(w), { token, headers });
        expect(success.status, label(protocol, name, route)).toBe(successStatus(protocol, name));
        expectDefensiveHeaders(success, label(protocol, name, `success ${route}`));
        const unauthorized = await call(protocol, server.url, name, cases[name].sample(w), { token: null, headers });
        expectError(unauthorized, protocol, 401, "UNAUTHORIZED", label(protocol, name, `401 ${route}`));
        const invalid = await call(protocol, server.url, name, cases[name].oversized(w)[0]!.input, { token, headers });
        expectError(invalid, protocol, 400, "BAD_REQUEST", label(protocol, name, `400 ${route}`));
      }
    }
  });

  it("answers unknown paths under /v1 and /trpc with a JSON 404 that leaks nothing", async () => {
    const api = new RestClient(server.url, token);
    expectError(await api.get("/v1/account/../../etc/passwd"), "rest", 404, "NOT_FOUND", "REST traversal");
    expectError(await api.get("/v1/account/secrets"), "rest", 404, "NOT_FOUND", "REST unknown");
    expectError(await api.get("/trpc/workspaces.drop"), "trpc", 404, "NOT_FOUND", "tRPC unknown procedure");
    expectError(await api.get("/trpc/__proto__"), "trpc", 404, "NOT_FOUND", "tRPC __proto__");
  });

  it("answers a forced database failure with a generic 500 naming no table and no SQL, REST and tRPC", async () => {
    const broken = await startTestServer();
    try {
      const account = await createAccount(broken);
      if (broken.database!.dialect === "postgres") await broken.database!.query("ALTER TABLE workspaces RENAME TO workspaces_broken");
      else await broken.db.write((manager) => manager.query("ALTER TABLE workspaces RENAME TO workspaces_broken"));
      const calls: [Protocol, EndpointName, Input][] = [
        ["rest", "workspaces.list", {}],
        ["rest", "workspaces.create", { name: "Never" }],
        ["rest", "workspaces.get", { workspaceId: "ws_01JD8Z6V5TQ3R2P1N0M9K8J7H6" }],
        ["trpc", "workspaces.list", {}],
        ["trpc", "workspaces.create", { name: "Never" }],
      ];
      for (const [protocol, name, input] of calls) {
        const response = await call(protocol, broken.url, name, input, { token: account.token });
        expectError(response, protocol, 500, "INTERNAL_SERVER_ERROR", label(protocol, name));
        const body = protocol === "trpc" ? response.body.error : response.body;
        expect(body, label(protocol, name)).toMatchObject({ message: "Internal server error", data: { httpStatus: 500 } });
        expect(JSON.stringify(response.body), label(protocol, name)).not.toMatch(/workspaces_|table|column|syntax|constraint/i);
      }
    } finally {
      await broken.close();
    }
  });
});

// Content types (API8: what the API agrees to parse) ------------------------------------------------------

function encodeAs(type: string, body: Input): string {
  const fields = Object.entries(body).map(([key, value]): [string, string] => [key, String(value)]);
  if (type.startsWith("application/x-www-form-urlencoded")) return new URLSearchParams(fields).toString();
  if (type.startsWith("multipart/form-data")) {
    return `${fields.map(([key, value]) => `--boundary\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`).join("")}--boundary--\r\n`;
  }
  return JSON.stringify(body);
}

const NOT_JSON = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=boundary", "application/octet-stream"];

describe("content types", () => {
  it("accepts application/json; charset=utf-8 on every write, REST and tRPC", async () => {
    for (const { name, protocol } of everyWrite) {
      const input = await cases[name].fresh(w);
      const rawBody = JSON.stringify(bodyOf(protocol, name, input));
      const response = await call(protocol, server.url, name, input, { token, rawBody, headers: { "content-type": "application/json; charset=utf-8" } });
      expect(response.status, `${label(protocol, name)}: ${JSON.stringify(response.body)}`).toBe(successStatus(protocol, name));
    }
  });

  it.each(NOT_JSON)("answers 415 to %s bodies on every write, REST and tRPC, and changes nothing", async (type) => {
    const attempts = [];
    for (const { name, protocol } of everyWrite) attempts.push({ name, protocol, input: await cases[name].fresh(w) });
    const before = await snapshot();
    for (const { name, protocol, input } of attempts) {
      const rawBody = encodeAs(type, bodyOf(protocol, name, input));
      const response = await call(protocol, server.url, name, input, { token, rawBody, headers: { "content-type": type } });
      expectError(response, protocol, 415, "UNSUPPORTED_MEDIA_TYPE", label(protocol, name, type));
    }
    expect(await snapshot()).toEqual(before);
  });

  it("answers 400 to malformed JSON on every write, REST and tRPC, and changes nothing", async () => {
    const attempts = [];
    for (const { name, protocol } of everyWrite) attempts.push({ name, protocol, input: await cases[name].fresh(w) });
    const before = await snapshot();
    for (const { name, protocol, input } of attempts) {
      for (const rawBody of ['{"name": ', "{'name': 'x'}", "\u0000\u0001"]) {
        const response = await call(protocol, server.url, name, input, { token, rawBody, headers: { "content-type": "application/json" } });
        expectError(response, protocol, 400, undefined, label(protocol, name, JSON.stringify(rawBody)));
      }
    }
    expect(await snapshot()).toEqual(before);
  });
});

// API4:2023 again: rate limits, each story on a server of its own (all test traffic comes from 127.0.0.1) ----

const WINDOW_SECONDS = 3600;
const RATE_LIMIT = /^limit=(\d+), remaining=(\d+), reset=(\d+)$/;

/** Fixed windows are aligned on the clock: do not start a story in the last seconds of one. */
async function awayFromWindowEdge(): Promise<void> {
  const left = WINDOW_SECONDS * 1000 - (Date.now() % (WINDOW_SECONDS * 1000));
  if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

function rateLimitOf(response: ApiResponse, what: string): { limit: number; remaining: number; reset: number } {
  const header = response.headers.get("ratelimit");
  expect(header, `${what}: RateLimit`).toMatch(RATE_LIMIT);
  const [, limit, remaining, reset] = RATE_LIMIT.exec(header!)!.map(Number);
  return { limit: limit!, remaining: remaining!, reset: reset! };
}

function expectRefused(response: ApiResponse, protocol: Protocol, what: string): void {
  expectError(response, protocol, 429, "TOO_MANY_REQUESTS", what);
  const retryAfter = response.headers.get("retry-after");
  expect(retryAfter, `${what}: Retry-After`).toMatch(/^\d+$/);
  expect(Number(retryAfter), `${what}: Retry-After`).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter), `${what}: Retry-After`).toBeLessThanOrEqual(WINDOW_SECONDS);
  rateLimitOf(response, what);
}

describe("rate limits (API4)", () => {
  const admin = (limited: TestServer) => limited.token({ org: `org_limited_${unique()}`, user: `user_${unique()}` });

  describe("per account", () => {
    let limited: TestServer;
    beforeAll(async () => {
      limited = await startTestServer({ RATE_LIMIT_PER_ACCOUNT: "5", RATE_LIMIT_PER_IP: "1000", RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) });
    });
    afterAll(() => limited?.close());

    it("puts RateLimit and RateLimit-Policy on every API answer: success and error, REST and tRPC, fast path and express", async () => {
      await awayFromWindowEdge();
      const tokens = await Promise.all(Array.from({ length: 6 }, () => admin(limited)));
      const member = await limited.token({ org: `org_limited_${unique()}`, user: "user_member", role: "member" });
      const missing = { workspaceId: "ws_01JD8Z6V5TQ3R2P1N0M9K8J7H6" };
      const answers: [string, Promise<ApiResponse>][] = [
        ["REST list (fast path)", callRest(limited.url, "workspaces.list", {}, { token: tokens[0]! })],
        ["REST list (express)", callRest(limited.url, "workspaces.list", {}, { token: tokens[1]!, headers: { "idempotency-key": "k" } })],
        ["REST create", callRest(limited.url, "workspaces.create", { name: "Limited" }, { token: tokens[2]! })],
        ["tRPC list", callTrpc(limited.url, "workspaces.list", {}, { token: tokens[3]! })],
        ["tRPC create", callTrpc(limited.url, "workspaces.create", { name: "Limited" }, { token: tokens[4]! })],
        ["REST 400", callRest(limited.url, "workspaces.list", { limit: 0 }, { token: tokens[0]! })],
        ["tRPC 400", callTrpc(limited.url, "workspaces.list", { limit: 0 }, { token: tokens[1]! })],
        ["REST 404", callRest(limited.url, "workspaces.get", missing, { token: tokens[2]! })],
        ["tRPC 404", callTrpc(limited.url, "workspaces.get", missing, { token: tokens[3]! })],
        ["REST 401", callRest(limited.url, "workspaces.list", {}, { token: null })],
        ["tRPC 401", callTrpc(limited.url, "workspaces.list", {}, { token: "not.a.token" })],
        ["REST 403", callRest(limited.url, "workspaces.list", {}, { token: member })],
        ["tRPC 403", callTrpc(limited.url, "workspaces.create", { name: "x" }, { token: member })],
        ["REST 415", callRest(limited.url, "workspaces.create", {}, { token: tokens[5]!, rawBody: "name=x", headers: { "content-type": "text/plain" } })],
        ["tRPC 413", callTrpc(limited.url, "workspaces.create", {}, { token: tokens[5]!, rawBody: JSON.stringify({ name: "x".repeat(BODY_LIMIT_BYTES) }), headers: { "content-type": "application/json" } })],
      ];
      for (const [what, pending] of answers) {
        const response = await pending;
        expect(response.headers.get("ratelimit-policy"), what).toBe(`5;w=${WINDOW_SECONDS}, 1000;w=${WINDOW_SECONDS}`);
        const { limit, remaining, reset } = rateLimitOf(response, what);
        expect([5, 1000], what).toContain(limit);
        expect(remaining, what).toBeLessThan(limit);
        expect(reset, what).toBeGreaterThanOrEqual(1);
        expect(reset, what).toBeLessThanOrEqual(WINDOW_SECONDS);
      }
    });

    it("refuses the 6th call of one account with 429 and Retry-After, REST and tRPC, changing nothing, while another account still passes", async () => {
      await awayFromWindowEdge();
      const greedy = await admin(limited);
      const allowed: [Protocol, EndpointName, Input][] = [
        ["rest", "workspaces.list", {}],
        ["trpc", "workspaces.list", {}],
        ["rest", "workspaces.create", { name: "Allowed 1" }],
        ["trpc", "workspaces.create", { name: "Allowed 2" }],
        ["rest", "profiles.search", {}],
      ];
      for (const [index, [protocol, name, input]] of allowed.entries()) {
        const response = await call(protocol, limited.url, name, input, { token: greedy });
        expect(response.status, label(protocol, name)).toBe(successStatus(protocol, name));
        expect(rateLimitOf(response, label(protocol, name))).toMatchObject({ limit: 5, remaining: 4 - index });
      }
      const before = await snapshotDatabase(limited.database!);
      const refusedRest = await callRest(limited.url, "workspaces.create", { name: "Refused" }, { token: greedy });
      expectRefused(refusedRest, "rest", "6th call over REST");
      expect(refusedRest.body.message).toMatch(/account/);
      const refusedTrpc = await callTrpc(limited.url, "workspaces.create", { name: "Refused" }, { token: greedy });
      expectRefused(refusedTrpc, "trpc", "7th call over tRPC");
      expect(refusedTrpc.body.error).toMatchObject({ code: -32029, data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 } });
      const refusedRead = await callRest(limited.url, "workspaces.list", {}, { token: greedy });
      expectRefused(refusedRead, "rest", "8th call, a read on the fast path");
      expect(await snapshotDatabase(limited.database!)).toEqual(before);

      const other = await admin(limited);
      const response = await callRest(limited.url, "workspaces.create", { name: "Refused" }, { token: other });
      expect(response.status, "another account from the same address").toBe(201);
      expect(rateLimitOf(response, "another account")).toMatchObject({ limit: 5, remaining: 4 });
    });

    it("charges a tRPC batch one unit per call in it", async () => {
      await awayFromWindowEdge();
      const batcher = await admin(limited);
      const api = new RestClient(limited.url, batcher);
      const batchOf = (n: number) => ({
        path: `/trpc/${Array.from({ length: n }, () => "workspaces.list").join(",")}`,
        query: { batch: 1, input: JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), {}]))) },
      });
      const first = await api.get(batchOf(3).path, { query: batchOf(3).query });
      expect(first.status).toBe(200);
      expect(rateLimitOf(first, "batch of 3")).toMatchObject({ limit: 5, remaining: 2 });
      const second = await api.get(batchOf(3).path, { query: batchOf(3).query });
      expectRefused(second, "trpc", "batch of 3 with 2 units left");
      expect(second.body).toHaveLength(3);
      for (const entry of second.body) expect(entry.error.data).toMatchObject({ code: "TOO_MANY_REQUESTS", httpStatus: 429 });
      const single = await callTrpc(limited.url, "workspaces.list", {}, { token: batcher });
      expect(single.status).toBe(200);
      expect(rateLimitOf(single, "single call")).toMatchObject({ remaining: 1 });

      const fresh = await admin(limited);
      const six = await new RestClient(limited.url, fresh).get(batchOf(6).path, { query: batchOf(6).query });
      expectRefused(six, "trpc", "batch of 6 against a budget of 5");
      expect(six.body).toHaveLength(6);
    });
  });

  describe("per address", () => {
    let limited: TestServer;
    beforeAll(async () => {
      limited = await startTestServer({ RATE_LIMIT_PER_ACCOUNT: "5", RATE_LIMIT_PER_IP: "8", RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) });
    });
    afterAll(() => limited?.close());

    it("lets another account pass until the address's budget is spent, then refuses every caller from it, but never /healthz and /readyz", async () => {
      await awayFromWindowEdge();
      const [first, second, third] = await Promise.all([admin(limited), admin(limited), admin(limited)]);
      for (let call = 1; call <= 5; call++) expect((await callRest(limited.url, "workspaces.list", {}, { token: first! })).status).toBe(200);
      const accountSpent = await callTrpc(limited.url, "workspaces.list", {}, { token: first! });
      expectRefused(accountSpent, "trpc", "6th call of the first account");
      expect(accountSpent.body.error.message).toMatch(/account/);
      // 6 units of the address's 8 are spent: the second account gets the last two.
      for (const remaining of [1, 0]) {
        const response = await callRest(limited.url, "workspaces.list", {}, { token: second! });
        expect(response.status, "second account").toBe(200);
        expect(rateLimitOf(response, "second account")).toMatchObject({ limit: 8, remaining });
      }
      const addressSpent = await callRest(limited.url, "workspaces.list", {}, { token: second! });
      expectRefused(addressSpent, "rest", "second account, address spent");
      expect(addressSpent.body.message).toMatch(/address/);
      expectRefused(await callTrpc(limited.url, "workspaces.create", { name: "x" }, { token: third! }), "trpc", "a third account");
      expectRefused(await callRest(limited.url, "workspaces.list", {}, { token: null }), "rest", "no token at all");
      const probe = new RestClient(limited.url);
      for (let call = 0; call < 5; call++) {
        expect((await probe.get("/healthz")).status).toBe(200);
        expect((await probe.get("/readyz")).status).toBe(200);
      }
    });
  });
});

// The same answers never leak anything, whatever went wrong --------------------------------------------------

describe("error bodies", () => {
  it("never carry a stack, SQL or a file path, for hostile inputs on every procedure", async () => {
    const hostile = ["' OR 1=1 --", "\"; DROP TABLE workspaces; --", "%00", "../../etc/passwd", "${jndi:ldap://x}", "\u202e"];
    for (const { name, protocol } of everyCall) {
      for (const value of hostile) {
        const input = Object.fromEntries(Object.keys(cases[name].sample(w)).map((key) => [key, value]));
        const response = await call(protocol, server.url, name, { ...input, cursor: value }, { token });
        expect(response.status, label(protocol, name, value)).toBeGreaterThanOrEqual(400);
        expect(response.status, label(protocol, name, value)).toBeLessThan(500);
        expect(leaksIn(response.body), label(protocol, name, value)).toEqual([]);
        expect(errorCodeOf(response), label(protocol, name, value)).toBe("BAD_REQUEST");
      }
    }
  });
});
