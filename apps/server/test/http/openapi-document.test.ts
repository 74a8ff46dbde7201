import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiErrorBody, type EndpointContract, endpoints } from "@workspace-admin/contracts";
import { DOCUMENT_FILE, renderOpenApiDocument } from "../../src/cli/openapi.ts";
import { buildOpenApiDocument } from "../../src/http/openapi.ts";
import { appRouter } from "../../src/trpc/router.ts";
import { startTestServer, type TestServer } from "../support/index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const table = Object.entries(endpoints) as [string, EndpointContract][];
const committed = JSON.parse(readFileSync(DOCUMENT_FILE, "utf8"));
const operationOf = (contract: EndpointContract) => committed.paths[contract.path]?.[contract.method.toLowerCase()];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("the committed openapi.json", () => {
  it("is exactly what the router generates (run `npm run openapi` after changing an operation)", () => {
    expect(readFileSync(DOCUMENT_FILE, "utf8")).toBe(renderOpenApiDocument());
  });

  it("is what a live server serves at /openapi.json, apart from the server URL", async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    expect(response.status).toBe(200);
    const live = (await response.json()) as Record<string, unknown>;
    expect(live.servers).toEqual([{ url: server.url }]);
    expect(live).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(appRouter, server.url))));
    expect({ ...live, servers: committed.servers }).toEqual(committed);
  });

  it("has exactly one operation per row of the contracts' table", () => {
    const documented = Object.entries(committed.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(table.map(([, c]) => `${c.method} ${c.path}`).sort());
  });

  it.each(table)("describes %s with summary, description, tag, operationId and bearer security", (name, contract) => {
    const operation = operationOf(contract);
    expect(operation.summary).toBe(contract.summary);
    expect(operation.description.length).toBeGreaterThan(20);
    expect(operation.tags).toEqual([contract.tag]);
    expect(operation.operationId).toBe(name.replace(/\.(\w)/g, (_: string, c: string) => c.toUpperCase()));
    expect(operation.security).toEqual([{ bearerAuth: [] }]);
    for (const parameter of operation.parameters ?? []) expect(parameter.description, parameter.name).toMatch(/\w{2,}.{4,}/);
    expect(committed.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
  });

  it.each(table)("documents the real success status and every error answer of %s", (_name, contract) => {
    const operation = operationOf(contract);
    const expected = [contract.successStatus, ...contract.errors, 401, 403, 413, 415, 429, 500, 503].map(String).sort();
    expect(Object.keys(operation.responses).sort()).toEqual([...new Set(expected)]);
    for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
      if (Number(status) < 400) continue;
      expect(response.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/ApiError" });
    }
  });

  it.each(table)("gives %s examples that the contract's own schemas accept", (_name, contract) => {
    const operation = operationOf(contract);
    const success = operation.responses[String(contract.successStatus)].content["application/json"].example;
    expect(contract.output.safeParse(success).error).toBeUndefined();
    const body = operation.requestBody?.content["application/json"].example;
    const pathParams = Object.fromEntries(
      (operation.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => [p.name, p.schema.example]),
    );
    if (body !== undefined) expect(contract.input.safeParse({ ...pathParams, ...body }).error).toBeUndefined();
    for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
      if (Number(status) < 400) continue;
      const example = ApiErrorBody.parse(response.content["application/json"].example);
      expect(example.data?.httpStatus).toBe(Number(status));
    }
  });

  it("answers 201 where the document says 201: a real create", async () => {
    const token = await server.token({ org: "org_openapi", user: "user_openapi" });
    const created = await fetch(`${server.url}/v1/account/workspaces`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(committed.paths["/v1/account/workspaces"].post.requestBody.content["application/json"].example),
    });
    expect(created.status).toBe(201);
    expect(Object.keys(committed.paths["/v1/account/workspaces"].post.responses)).toContain("201");
  });

  it("passes `redocly lint` with no errors", () => {
    const result = spawnSync(
      process.execPath,
      [join(dirname(fileURLToPath(import.meta.resolve("@redocly/cli/package.json"))), "bin/cli.js"), "lint", DOCUMENT_FILE, "--config", join(root, "redocly.yaml"), "--format", "json"],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", REDOCLY_SUPPRESS_NOTIFICATIONS: "true", CI: "true" },
        timeout: 60_000,
      },
    );
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf("{")));
    const errors = report.problems.filter((p: { severity: string }) => p.severity === "error");
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(result.status).toBe(0);
  });
});
