import { ApiErrorBody, type EndpointContract, type ErrorCode, endpoints, errorHttpStatus } from "@workspace-admin/contracts";
import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { createSchema } from "zod-openapi";
import type { AppRouter } from "../trpc/router.ts";
import { errorDescriptions, operationDescriptions, tagDescriptions } from "./openapi-descriptions.ts";
import { exampleOf } from "./openapi-examples.ts";

/** The server named in the committed `openapi.json` (a live server names itself in /openapi.json). */
export const DOCUMENT_BASE_URL = "http://localhost:3000";

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  requestBody?: { content?: Record<string, { schema?: unknown; example?: unknown }> };
  parameters?: { in: string; name: string; schema?: Json; description?: string; example?: unknown }[];
  responses?: Record<string, Response>;
}
interface Response {
  description?: string;
  headers?: Record<string, { description: string; schema: Json }>;
  content?: Record<string, { schema?: unknown; example?: unknown }>;
}

/** Headers of the rate limits (README, "Rate limits"), on every answer while limits are on. */
const RATE_LIMIT_HEADERS = {
  RateLimit: {
    description: "The tighter of the caller's budgets: `limit=<n>, remaining=<n>, reset=<seconds>` (IETF draft syntax)",
    schema: { type: "string", example: "limit=1200, remaining=1187, reset=42" },
  },
  "RateLimit-Policy": {
    description: "The budgets: `<requests>;w=<window seconds>` per account and per client address",
    schema: { type: "string", example: "1200;w=60, 3000;w=60" },
  },
};
const RETRY_AFTER = {
  "Retry-After": { description: "Seconds until the budget starts afresh", schema: { type: "integer", minimum: 1 } },
};
const IDEMPOTENT_REPLAYED = {
  "Idempotent-Replayed": {
    description: "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`",
    schema: { type: "string", enum: ["true"] },
  },
};

const ERROR_MESSAGES: Partial<Record<ErrorCode, string>> = {
  BAD_REQUEST: "Input validation failed: name: must not be empty",
  UNAUTHORIZED: "An `Authorization: Bearer <token>` header is required",
  FORBIDDEN: "The admin role is required",
  NOT_FOUND: "Workspace not found",
  CONFLICT: 'An active workspace named "Design team" already exists',
  INTERNAL_SERVER_ERROR: "Internal server error",
  TOO_MANY_REQUESTS: "Too many requests for this account; retry after 42 s",
  SERVICE_UNAVAILABLE: "The database is unavailable; retry later",
};

/**
 * The OpenAPI document, generated from the router (whose routes and schemas come from the contracts) and
 * then corrected to say what the server really does, walking the contracts' table:
 * - the real success status (201 for creates; trpc-to-openapi always writes 200);
 * - every error answer with the contracts' `ApiError` body (trpc-to-openapi's own error schema lacks `data`);
 * - a description and examples on every operation.
 */
export function buildOpenApiDocument(router: AppRouter, baseUrl: string): OpenAPIObject {
  const document = generateOpenApiDocument(router, {
    title: "Workspace Admin API",
    description:
      "Account-scoped administration of workspaces, their members and the account's profiles.\n\n" +
      "Every operation requires a bearer token (a JWT) whose roles include `admin`; the account is the one " +
      "named by the token, and ids of other accounts answer 404. Lists are cursor-paginated and ordered by " +
      "id, which is creation order (audit events: newest first). Every error answers the same `ApiError` body " +
      "with a stable `code`. POST, PATCH and DELETE accept an `Idempotency-Key`; workspaces answer an `ETag` " +
      "and honor `If-Match`.\n\n" +
      "The same operations are available to TypeScript callers as a typed tRPC client (`@workspace-admin/client`).",
    version: "1.0.0",
    baseUrl,
    tags: tagsOf(),
    securitySchemes: {
      bearerAuth: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description:
          "An RS256 JWT with the caller's organization and an `admin` role. In development, " +
          "`npm run --silent token -- --org ORG --user USER` prints one, and `npm start` prints one for the demo account.",
      },
    },
  });

  document.tags = tagsOf().map((name) => ({ name, description: tagDescriptions[name] ?? `${name} operations` }));
  const components = (document.components ??= {});
  const schemas = (components.schemas ??= {}) as Record<string, unknown>;
  // trpc-to-openapi's per-code error schemas are replaced by ApiError below.
  for (const name of Object.keys(schemas)) if (name.startsWith("error.")) delete schemas[name];
  const apiError = createSchema(ApiErrorBody, { io: "output", openapiVersion: "3.1.0" });
  Object.assign(schemas, apiError.components);

  for (const [name, contract] of Object.entries(endpoints) as [string, EndpointContract][]) {
    const operation = (document.paths?.[contract.path] as Record<string, Operation> | undefined)?.[contract.method.toLowerCase()];
    if (!operation) throw new Error(`The router has no REST route for ${name} (${contract.method} ${contract.path})`);
    describeOperation(name, contract, operation, schemas);
  }
  return document;
}

function describeOperation(name: string, contract: EndpointContract, operation: Operation, schemas: Record<string, unknown>) {
  operation.description = operationDescriptions[name as keyof typeof operationDescriptions] ?? defaultDescription(contract);

  const shape = contract.input.shape as Record<string, unknown>;
  for (const parameter of operation.parameters ?? []) {
    parameter.description ??=
      (parameter.schema?.description as string | undefined) ?? fieldDescription(shape[parameter.name]) ?? enumDescription(parameter.schema, schemas);
  }
  const body = operation.requestBody?.content?.["application/json"];
  // Request bodies are inline schemas; the tag says whose fields they are (a workspace's name is not a person's).
  if (body) body.example = exampleOf(body.schema, schemas, "", 0, contract.tag === "Workspaces" ? "Workspace" : "");

  const responses: NonNullable<Operation["responses"]> = {};
  const success = operation.responses?.["200"];
  if (!success) throw new Error(`${name}: trpc-to-openapi wrote no 200 response`);
  const successJson = success.content?.["application/json"];
  if (successJson) successJson.example = exampleOf(successJson.schema, schemas);
  responses[String(contract.successStatus)] = {
    ...success,
    description: contract.successStatus === 201 ? "Created" : "OK",
    headers: {
      ...(success as Response).headers,
      ...RATE_LIMIT_HEADERS,
      ...(contract.method === "GET" ? {} : IDEMPOTENT_REPLAYED),
    },
  };
  const statuses = Object.keys(operation.responses ?? {})
    .map(Number)
    .filter((status) => status >= 400)
    .sort((a, b) => a - b);
  for (const status of statuses) {
    responses[String(status)] = {
      description: errorDescriptions[status] ?? operation.responses?.[String(status)]?.description ?? "Error",
      ...(status === 429 ? { headers: { ...RETRY_AFTER, ...RATE_LIMIT_HEADERS } } : {}),
      content: { "application/json": { schema: { $ref: "#/components/schemas/ApiError" }, example: errorExample(status) } },
    };
  }
  operation.responses = responses;
}

/**
 * The description a contract gives an input field. trpc-to-openapi drops it from query parameters when
 * it sits on an `.optional()` wrapper, so it is looked up on the wrapper and on what it wraps.
 */
function fieldDescription(schema: unknown): string | undefined {
  let current = schema as { description?: string; _zod?: { def?: { innerType?: unknown } } } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current.description) return current.description;
    current = current._zod?.def?.innerType as typeof current;
  }
  return undefined;
}

/** "One of: a, b, c" for a parameter whose schema (or the component it names) is an enum. */
function enumDescription(schema: Json | undefined, schemas: Record<string, unknown>): string | undefined {
  const ref = typeof schema?.$ref === "string" ? (schemas[schema.$ref.replace("#/components/schemas/", "")] as Json | undefined) : schema;
  return Array.isArray(ref?.enum) ? `One of: ${ref.enum.join(", ")}` : undefined;
}

/** Every tag of the contracts' table, in table order. */
function tagsOf(): string[] {
  return [...new Set(Object.values(endpoints).map((contract: EndpointContract) => contract.tag))];
}

function defaultDescription(contract: EndpointContract): string {
  return `${contract.summary}. Answers ${contract.successStatus} on success.`;
}

function errorExample(status: number) {
  const code = (Object.entries(errorHttpStatus).find(([, s]) => s === status)?.[0] ?? "INTERNAL_SERVER_ERROR") as ErrorCode;
  const message = ERROR_MESSAGES[code] ?? code.toLowerCase().replaceAll("_", " ");
  const example: Record<string, unknown> = { code, message, data: { code, httpStatus: status } };
  if (code === "BAD_REQUEST") {
    const issues = [{ path: ["name"], message: "must not be empty", code: "too_small" }];
    example.data = { code, httpStatus: status, issues };
    example.issues = issues;
  }
  return example;
}
