import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type Express, type RequestHandler, type Router } from "express";
import type { JSONWebKeySet } from "jose";
import { TRPC_BATCH_MAX } from "@workspace-admin/contracts";
import { createOpenApiNodeHttpHandler } from "trpc-to-openapi";
import type { Logger } from "../logger.ts";
import { type AppDeps, createContextFactory } from "../trpc/context.ts";
import { successStatusOf } from "../trpc/endpoint.ts";
import { appRouter } from "../trpc/router.ts";
import { errorHandler, trpcCallCount, writeApiError } from "./errors.ts";
import { applyAnswerHeaders } from "./answer-headers.ts";
import { requireJsonBody } from "./content-type.ts";
import { DEFENSIVE_HEADERS } from "./defensive-headers.ts";
import { docsRouter } from "./docs.ts";
import { idempotencyLayer } from "./idempotency.ts";
import { buildOpenApiDocument } from "./openapi.ts";
import { identifyRequest } from "./request-id.ts";

export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppOptions {
  deps: AppDeps;
  logger: Logger;
  /** Dev mode publishes the public half of its signing key here. */
  jwks?: JSONWebKeySet;
  publicUrl?: string;
  /** WorkOS mode with a webhook secret: the webhook receiver, mounted at /webhooks/workos. */
  workosWebhook?: Router;
}

/**
 * The typed client batches at most TRPC_BATCH_MAX calls (its `maxItems`); a longer batch is a 400 in the
 * tRPC error shape, before any of its calls runs, its body is read or its idempotency key is claimed.
 */
const limitTrpcBatch: RequestHandler = (req, res, next) => {
  if (trpcCallCount(req.originalUrl.split("?", 1)[0]!) <= TRPC_BATCH_MAX) {
    next();
    return;
  }
  writeApiError(req, res, "BAD_REQUEST", `A tRPC batch may call at most ${TRPC_BATCH_MAX} procedures`);
};

/** The HTTP surface: REST under /v1, tRPC under /trpc, the OpenAPI document and its live docs, health, and dev keys. */
export function createApp(options: AppOptions): Express {
  const { deps, logger } = options;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  // Every answer through express: the request's id, the headers the layers in front decided (rate
  // limit: answer-headers.ts), and the defensive ones.
  app.use((req, res, next) => {
    identifyRequest(req, res);
    applyAnswerHeaders(res);
    for (const name in DEFENSIVE_HEADERS) res.setHeader(name, DEFENSIVE_HEADERS[name]!);
    next();
  });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  // For load balancers: 503 while the database is unreachable (or not yet migrated), so traffic goes to
  // instances that can serve it. The process itself stays up and recovers on its own (/healthz).
  app.get("/readyz", async (_req, res) => {
    const ready = await deps.db.ping();
    res.status(ready ? 200 : 503).json({
      status: ready ? "ready" : "unavailable",
      database: ready ? "up" : "down",
      dialect: deps.db.dialect,
    });
  });
  if (options.jwks) {
    const jwks = options.jwks;
    app.get("/.well-known/jwks.json", (_req, res) => {
      res.json(jwks);
    });
  }

  if (options.workosWebhook) app.use("/webhooks/workos", options.workosWebhook);

  let document: unknown;
  app.get("/openapi.json", (req, res) => {
    document ??= buildOpenApiDocument(appRouter, options.publicUrl ?? `${req.protocol}://${req.get("host")}`);
    res.json(document);
  });
  app.use("/docs", docsRouter());

  const createContext = createContextFactory(deps);
  const onError = ({ error, path }: { error: { code: string; cause?: unknown }; path?: string }) => {
    if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error.cause ?? error, path }, "procedure failed");
    else if (error.code === "SERVICE_UNAVAILABLE") logger.warn({ err: error.cause ?? error, path }, "service unavailable");
  };

  // REST. express.json parses `application/json` with any UTF-8 charset (the adapter alone would see an
  // empty body for `; charset=utf-8`); the adapter answers 415 for other types on POST and PATCH.
  const rest = createOpenApiNodeHttpHandler({
    router: appRouter,
    createContext,
    onError,
    maxBodySize: BODY_LIMIT_BYTES,
    responseMeta: ({ errors, paths, ctx }) =>
      errors.length === 0 ? { status: successStatusOf(paths?.[0]), headers: ctx?.response.headers ?? {} } : {},
  });
  const json = express.json({ limit: BODY_LIMIT_BYTES, strict: false });
  app.use(
    "/v1",
    requireJsonBody,
    json,
    idempotencyLayer(deps, logger),
    (req, res, next) => {
      // The adapter routes on the full URL; express stripped the mount point from req.url.
      req.url = req.originalUrl;
      void rest(req, res, next);
    },
  );

  // tRPC reads its own body; it is parsed here (tRPC then uses `req.body`) only when the idempotency
  // layer needs it for the request's fingerprint.
  app.use(
    "/trpc",
    limitTrpcBatch,
    requireJsonBody,
    (req, res, next) => (req.headers["idempotency-key"] === undefined ? next() : json(req, res, next)),
    idempotencyLayer(deps, logger),
    createExpressMiddleware({
      router: appRouter,
      createContext,
      onError,
      maxBodySize: BODY_LIMIT_BYTES,
      // Also enforced by limitTrpcBatch in front (the adapter's own refusal is a text/plain answer).
      maxBatchSize: TRPC_BATCH_MAX,
    }),
  );

  app.use((req, res) => {
    writeApiError(req, res, "NOT_FOUND", "No such route");
  });
  app.use(errorHandler(logger));
  return app;
}
