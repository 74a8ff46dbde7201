import { createHash } from "node:crypto";
import type { ErrorCode } from "@workspace-admin/contracts";
import type { RequestHandler, Response } from "express";
import { callerOf } from "../auth/caller.ts";
import type { Logger } from "../logger.ts";
import {
  claimIdempotencyKey,
  completeClaim,
  type IdempotentRequest,
  releaseClaim,
  type StoredAnswer,
} from "../services/idempotency.ts";
import type { AppDeps } from "../trpc/context.ts";
import { writeApiError } from "./errors.ts";

const MUTATING = new Set(["POST", "PATCH", "DELETE"]);
/** 1-255 visible ASCII characters or spaces (a header cannot carry more than ASCII reliably). */
const VALID_KEY = /^[\x20-\x7E]{1,255}$/;
/** The answer headers replayed with the stored body; the rest are per-request (x-request-id) or fixed. */
const REPLAYED_HEADERS = ["content-type", "etag"];
export const REPLAYED_HEADER = "Idempotent-Replayed";

/**
 * `Idempotency-Key` on POST, PATCH and DELETE, in front of the REST and tRPC handlers (mounted after the
 * JSON body parser, which the fingerprint needs).
 *
 * Keys belong to the caller's account, so the layer resolves the caller first (the same memoized
 * resolution the procedure then uses); a request that is not authenticated passes through untouched
 * and gets its 401/403 from the procedure. Then:
 * - the key is claimed by inserting an `in_progress` row (primary key account + key): exactly one of
 *   several concurrent requests wins, in one process or across instances sharing the database;
 * - a request that loses to one still running gets a 409 at once (it does not wait) with Retry-After;
 * - the winner runs; its answer is stored before it is sent, if it is not a 5xx (a 5xx releases the key
 *   so that a retry runs afresh), so a retry that follows the answer always finds it;
 * - a repeat with the same fingerprint (method, path with query, JSON body with keys sorted) within the
 *   key's lifetime gets the stored status, body, Content-Type and ETag, plus `Idempotent-Replayed: true`;
 * - the same key with another fingerprint is a 422.
 */
export function idempotencyLayer(deps: AppDeps, logger: Logger): RequestHandler {
  return (req, res, next) => {
    // The layer's own refusals are shaped like the errors of the handler behind it (by the path).
    const refuse = (code: ErrorCode, message: string) => writeApiError(req, res, code, message);
    const key = req.headers["idempotency-key"];
    if (key === undefined || !MUTATING.has(req.method)) {
      next();
      return;
    }
    void (async () => {
      let accountId: string;
      try {
        accountId = (await callerOf(req, deps)).accountId;
      } catch {
        next(); // the procedure answers the same failure (401, 403, 503) from the memoized resolution
        return;
      }
      if (typeof key !== "string" || !VALID_KEY.test(key)) {
        refuse("BAD_REQUEST", "Idempotency-Key must be 1-255 printable ASCII characters");
        return;
      }
      const request: IdempotentRequest = {
        accountId,
        key,
        fingerprint: fingerprintOf(req.method, req.originalUrl, req.body),
        method: req.method,
        path: req.originalUrl.split("?")[0]!,
      };
      const claim = await claimIdempotencyKey(deps.db, request);
      switch (claim.outcome) {
        case "replay":
          replay(res, claim.answer);
          return;
        case "mismatch":
          refuse(
            "UNPROCESSABLE_CONTENT",
            `This Idempotency-Key was already used for a different request (it was first used for ` +
              `${claim.method} ${claim.path}); use a new key for a new request`,
          );
          return;
        case "in_progress":
          res.setHeader("Retry-After", "1");
          refuse("CONFLICT", "A request with this Idempotency-Key is still in progress; retry shortly");
          return;
        case "claimed":
          captureAnswer(res, request, deps, logger);
          next();
          return;
      }
    })().catch(next);
  };
}

function replay(res: Response, answer: StoredAnswer): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.setHeader(REPLAYED_HEADER, "true");
  res.end(answer.body);
}

/**
 * Holds back the answer the handler writes until it is stored (or the claim released), then sends it.
 * Both handlers write their whole JSON answer through `write`/`end` after setting status and headers.
 */
function captureAnswer(res: Response, request: IdempotentRequest, deps: AppDeps, logger: Logger): void {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  let ended = false;
  const collect = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === "function") return;
    chunks.push(
      Buffer.isBuffer(chunk)
        ? chunk
        : typeof chunk === "string"
          ? Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8")
          : Buffer.from(chunk as Uint8Array),
    );
  };
  res.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    collect(chunk, encoding);
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  }) as Response["write"];
  res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    if (ended) return res;
    ended = true;
    collect(chunk, encoding);
    const done = [chunk, encoding, callback].find((arg) => typeof arg === "function") as (() => void) | undefined;
    res.write = write;
    res.end = end;
    const body = Buffer.concat(chunks);
    void settle(res.statusCode, body).then(() => {
      if (done) end(body, done);
      else end(body);
    });
    return res;
  }) as Response["end"];

  const settle = async (status: number, body: Buffer) => {
    try {
      if (status >= 500) {
        await releaseClaim(deps.db, request);
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = res.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      await completeClaim(deps.db, request, { status, headers, body: body.toString("utf8") });
    } catch (error) {
      // The answer still goes out; the key stays in progress until its claim goes stale.
      logger.error({ err: error, key: request.key }, "could not store the idempotent answer");
    }
  };

  // A client that goes away does not release the key: the handler still runs to its end and the answer
  // is stored for the retry. Only a process that dies leaves the claim, which goes stale (STALE_CLAIM_MS).
}

/** Method, path with query, and the parsed JSON body with object keys sorted (so key order does not matter). */
export function fingerprintOf(method: string, url: string, body: unknown): string {
  return createHash("sha256").update(`${method}\n${url}\n${canonicalJson(body)}`).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (value === undefined) return "";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}
