import { ApiErrorBody } from "@workspace-admin/contracts";
import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { z } from "zod";
import type { AppRouter } from "../trpc/router.ts";

/**
 * The OpenAPI document, generated from the router (whose routes and schemas come from the contracts).
 * trpc-to-openapi describes errors with its own schema, which lacks `data`; every error answer is
 * pointed at the contracts' `ApiError` instead so that the document says what the server sends.
 */
export function buildOpenApiDocument(router: AppRouter, baseUrl: string): OpenAPIObject {
  const document = generateOpenApiDocument(router, {
    title: "Workspace Admin API",
    description:
      "Account-scoped administration of workspaces, their members and the account's profiles. " +
      "Every operation requires a bearer token whose roles include `admin`. Lists are cursor-paginated " +
      "and ordered by id, which is creation order (audit events: newest first). POST, PATCH and DELETE " +
      "accept an `Idempotency-Key`; workspaces answer an `ETag` and honor `If-Match`.",
    version: "1.0.0",
    baseUrl,
    tags: ["Workspaces", "Members", "Profiles", "Audit"],
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
  });
  const errorSchema = z.toJSONSchema(ApiErrorBody, { target: "openapi-3.0", unrepresentable: "any" });
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.ApiError = errorSchema as NonNullable<typeof document.components.schemas>[string];
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem as Record<string, { responses?: Record<string, unknown> }>)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (Number(status) < 400) continue;
        const described = response as { description?: string };
        operation.responses![status] = {
          description: described.description ?? "Error",
          content: { "application/json": { schema: { $ref: "#/components/schemas/ApiError" } } },
        };
      }
    }
  }
  return document;
}
