import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorRequestHandler } from "express";
import { type ErrorCode, errorHttpStatus } from "@workspace-admin/contracts";
import { applyAnswerHeaders } from "./answer-headers.ts";
import { DEFENSIVE_HEADERS } from "./defensive-headers.ts";
import { isDatabaseUnavailable } from "../db/errors.ts";
import type { Logger } from "../logger.ts";
import { DATABASE_UNAVAILABLE_MESSAGE } from "../trpc/errors.ts";

/**
 * Writes an error in the shape the client of that path reads, for every layer that answers before (or
 * instead of) a procedure: rate limits, shutdown, content types, idempotency, body parsing. Under /trpc
 * it is the tRPC endpoint's `{ error: { message, code, data } }` (one entry per call of a batch; a typed
 * client reads `error.data.code`), elsewhere the REST adapter's `{ message, code, data }`. It takes the raw
 * node request, so it also works in front of express.
 */
export function writeApiError(
  req: IncomingMessage,
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  const httpStatus = errorHttpStatus[code];
  // Under express a mount point strips req.url; originalUrl keeps the path the client sent.
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? "";
  const q = url.indexOf("?");
  const pathname = q < 0 ? url : url.slice(0, q);
  let body: unknown = { message, code, data: { code, httpStatus } };
  if (pathname.startsWith("/trpc/")) {
    const error = { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus } } };
    const batch = new URLSearchParams(q < 0 ? "" : url.slice(q + 1)).get("batch") === "1";
    body = batch ? Array.from({ length: trpcCallCount(pathname) }, () => error) : error;
  }
  const text = JSON.stringify(body);
  applyAnswerHeaders(res);
  res.writeHead(httpStatus, {
    ...DEFENSIVE_HEADERS,
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** How many procedures a `/trpc/a,b,c` path calls. */
export function trpcCallCount(pathname: string): number {
  let calls = 1;
  for (let at = pathname.indexOf(",", TRPC_PATH_PREFIX.length); at >= 0; at = pathname.indexOf(",", at + 1)) calls++;
  return calls;
}
const TRPC_PATH_PREFIX = "/trpc/";

const BODY_PARSER_ERRORS: Record<string, [ErrorCode, string]> = {
  "entity.parse.failed": ["BAD_REQUEST", "The body is not valid JSON"],
  "entity.too.large": ["PAYLOAD_TOO_LARGE", "The body is too large"],
  "charset.unsupported": ["UNSUPPORTED_MEDIA_TYPE", "Only UTF-8 JSON bodies are accepted"],
  "encoding.unsupported": ["UNSUPPORTED_MEDIA_TYPE", "Unsupported content encoding"],
  "request.aborted": ["BAD_REQUEST", "The request was aborted"],
  "request.size.invalid": ["BAD_REQUEST", "The body does not match its Content-Length"],
};

/** The last handler: known client errors keep their meaning, anything else is a logged, generic 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = BODY_PARSER_ERRORS[(error as { type?: string })?.type ?? ""];
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (known) {
      writeApiError(req, res, known[0], known[1]);
      return;
    }
    const status = (error as { status?: number })?.status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      writeApiError(req, res, status === 413 ? "PAYLOAD_TOO_LARGE" : status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : "BAD_REQUEST", "Bad request");
      return;
    }
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: error, requestId: (req as typeof req & { id?: string }).id }, "database unavailable");
      writeApiError(req, res, "SERVICE_UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE);
      return;
    }
    logger.error({ err: error, requestId: (req as typeof req & { id?: string }).id }, "unhandled error");
    writeApiError(req, res, "INTERNAL_SERVER_ERROR", "Internal server error");
  };
}
