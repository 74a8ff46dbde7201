import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { addAnswerHeader } from "./answer-headers.ts";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type WithId = IncomingMessage & { id?: string };

/**
 * Every request gets an id: the caller's `x-request-id` when it is sane, else a new one; echoed back as
 * `x-request-id` (among the answer's pending headers, answer-headers.ts) and written into the request's
 * log line. Assigned once, by the first layer that asks (the access log); later layers (the read fast
 * path, express) keep it.
 */
export function identifyRequest(req: IncomingMessage, res: ServerResponse): void {
  const request = req as WithId;
  if (request.id !== undefined) return;
  const incoming = req.headers["x-request-id"];
  request.id = typeof incoming === "string" && SAFE_ID.test(incoming) ? incoming : randomUUID();
  addAnswerHeader(res, "x-request-id", request.id);
}

export function requestIdOf(req: IncomingMessage): string | undefined {
  return (req as WithId).id;
}
