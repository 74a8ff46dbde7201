import type { RequestHandler } from "express";
import { writeApiError } from "./errors.ts";

const WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * A request that carries a body must say it is JSON (`application/json`, with or without
 * `; charset=utf-8`): anything else is a 415 before any handler runs. Without this, tRPC would take
 * `multipart/form-data` and `application/octet-stream` mutations, and the REST adapter would see an
 * empty body and answer a misleading validation error. A body-less DELETE needs no type.
 */
export const requireJsonBody: RequestHandler = (req, res, next) => {
  const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
  if (!WITH_BODY.has(req.method) || !hasBody || req.is("application/json")) {
    next();
    return;
  }
  writeApiError(req, res, "UNSUPPORTED_MEDIA_TYPE", "Request bodies must be JSON: send Content-Type: application/json");
};
