import { endpointNames, endpoints } from "@workspace-admin/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../src/trpc/router.ts";
import { createAccount, createProfile, createWorkspace, RestClient, startTestServer, type TestAccount, type TestServer } from "../support/index.ts";

let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
});
afterAll(() => server?.close());

/** Calls a procedure over the native tRPC endpoint (GET for queries, POST for mutations). */
async function trpc(name: string, input: unknown) {
  const type = endpoints[name as keyof typeof endpoints].method === "GET" ? "query" : "mutation";
  const path = `/trpc/${name}`;
  return type === "query"
    ? account.api.get(`${path}?input=${encodeURIComponent(JSON.stringify(input))}`)
    : account.api.post(path, input);
}

describe("the API surface", () => {
  it("has exactly one procedure per operation of the contract table", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(procedures).toEqual([...endpointNames].sort());
  });

  it("serves every operation over tRPC too, with the same answers as REST", async () => {
    const workspace = await createWorkspace(account, "Over tRPC");
    const profileId = await createProfile(server, account, { email: "trpc@example.test", name: "T. Rpc" });
    const calls: [string, unknown][] = [
      ["workspaces.list", { limit: 5 }],
      ["workspaces.get", { workspaceId: workspace.id }],
      ["workspaces.update", { workspaceId: workspace.id, description: "via tRPC" }],
      ["members.add", { workspaceId: workspace.id, profileId }],
      ["members.list", { workspaceId: workspace.id }],
      ["members.get", { workspaceId: workspace.id, profileId }],
      ["members.remove", { workspaceId: workspace.id, profileId }],
      ["profiles.search", { email: "trpc@example.test" }],
      ["workspaces.create", { name: "Created over tRPC" }],
      ["workspaces.archive", { workspaceId: workspace.id }],
      ["audit.list", { workspaceId: workspace.id, limit: 5 }],
    ];
    expect(calls.map(([name]) => name).sort()).toEqual([...endpointNames].sort());
    for (const [name, input] of calls) {
      const response = await trpc(name, input);
      expect(response.status, name).toBe(200);
      expect(endpoints[name as keyof typeof endpoints].output.safeParse(response.body.result.data).success, name).toBe(true);
    }
    const rest = await account.api.get(`/v1/account/workspaces/${workspace.id}`);
    expect((await trpc("workspaces.get", { workspaceId: workspace.id })).body.result.data).toEqual(rest.body);
  });

  it("answers tRPC validation errors with 400 and no stack", async () => {
    const response = await trpc("workspaces.create", { name: "" });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).not.toMatch(/stack|at .*\.ts/);
  });

  it("publishes the OpenAPI document with every REST path and method", async () => {
    const response = await new RestClient(server.url).get("/openapi.json");
    expect(response.status).toBe(200);
    for (const endpoint of Object.values(endpoints)) {
      const openApiPath = endpoint.path;
      expect(response.body.paths[openApiPath]?.[endpoint.method.toLowerCase()], `${endpoint.method} ${openApiPath}`).toBeDefined();
    }
    expect(response.body.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("answers health and readiness", async () => {
    const api = new RestClient(server.url);
    expect((await api.get("/healthz")).body).toEqual({ status: "ok" });
    expect(await api.get("/readyz")).toMatchObject({ status: 200, body: { status: "ready", database: "up" } });
  });

  it("answers unknown routes with a JSON 404 and sets the defensive headers", async () => {
    const response = await account.api.get("/v1/account/nothing-here");
    expect(response.status).toBe(404);
    expect(response.body.code).toBe("NOT_FOUND");
    expect(response.headers.get("x-powered-by")).toBeNull();
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("never answers an error with a stack trace, SQL or a file path", async () => {
    const probes = [
      account.api.get("/v1/account/workspaces/ws_'%20OR%201=1"),
      account.api.post("/v1/account/workspaces", undefined, { rawBody: "[", headers: { "content-type": "application/json" } }),
      account.api.post("/v1/account/workspaces", undefined, { rawBody: "x".repeat(200_000), headers: { "content-type": "application/json" } }),
      account.api.get("/v1/account/profiles", { query: { query: "'; DROP TABLE profiles; --" } }),
    ];
    for (const response of await Promise.all(probes)) {
      expect(response.status).toBeLessThan(500);
      expect(JSON.stringify(response.body)).not.toMatch(/SELECT|INSERT|sqlite|node_modules|\.ts:\d+|stack/i);
    }
  });
});
