import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { addAnswerHeader } from "./answer-headers.ts";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type WithId = IncomingMessage & { id?: string };

/**
 * Every request gets an id: the caller's `x-request-id` when it is sane, else a new one; echoed back as
 * `x-request-id` and written into the request's log line. Assigned once, by the first layer that asks
 * (the access log); later layers (express, the read fast path) keep it.
 */
function assignRequestId(req: IncomingMessage): string {
  const request = req as WithId;
  if (request.id === undefined) {
    const incoming = req.headers["x-request-id"];
    request.id = typeof incoming === "string" && SAFE_ID.test(incoming) ? incoming : randomUUID();
  }
  return request.id;
}

/**
 * For the layers in front of express: gives the request its id, once, and puts the header among the
 * answer's pending headers (answer-headers.ts).
 */
export function identifyRequest(req: IncomingMessage, res: ServerResponse): void {
  if (requestIdOf(req) === undefined) addAnswerHeader(res, "x-request-id", assignRequestId(req));
}

/** The express middleware: the same id (or a new one), set on the response at once. */
export function requestId(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const id = assignRequestId(req);
  if (!res.headersSent) res.setHeader("x-request-id", id);
  next();
}

export function requestIdOf(req: IncomingMessage): string | undefined {
  return (req as WithId).id;
}
