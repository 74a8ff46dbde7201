import { SignatureVerificationException, type WorkOS } from "@workos-inc/node";
import express, { type Router } from "express";
import type { Logger } from "../logger.ts";
import type { DirectorySync } from "../services/directory-sync.ts";
import { toDirectoryEvent } from "../workos/directory-source.ts";
import { writeApiError } from "./errors.ts";

export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;

export interface WorkosWebhookOptions {
  workos: WorkOS;
  secret: string;
  toleranceSeconds: number;
  sync: DirectorySync;
  logger: Logger;
}

/**
 * POST /webhooks/workos: WorkOS delivers events here. The `WorkOS-Signature` header (timestamp and
 * HMAC-SHA256 of the body under the webhook secret) is checked by the SDK before anything is read from
 * the event: a missing, stale or wrong signature is 401 and changes nothing. The body is taken raw (this
 * route only), parsed once, and the signature checked over it. A verified event directory sync does
 * not use is acknowledged and ignored, so WorkOS does not retry it.
 */
export function workosWebhookRouter(options: WorkosWebhookOptions): Router {
  const router = express.Router();
  router.post("/", express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT_BYTES }), async (req, res, next) => {
    try {
      const signature = req.get("workos-signature");
      if (!signature) {
        writeApiError(req, res, "UNAUTHORIZED", "The WorkOS-Signature header is required");
        return;
      }
      const raw = Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "";
      let payload: unknown;
      try {
        payload = JSON.parse(raw);
      } catch {
        writeApiError(req, res, "BAD_REQUEST", "The body is not valid JSON");
        return;
      }
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
        writeApiError(req, res, "BAD_REQUEST", "The body is not a WorkOS event");
        return;
      }
      let event: Awaited<ReturnType<WorkOS["webhooks"]["constructEvent"]>>;
      try {
        event = await options.workos.webhooks.constructEvent({
          payload: payload as Record<string, unknown>,
          sigHeader: signature,
          secret: options.secret,
          tolerance: options.toleranceSeconds * 1000,
        });
      } catch (error) {
        if (error instanceof SignatureVerificationException) {
          writeApiError(req, res, "UNAUTHORIZED", "The WorkOS signature does not match");
          return;
        }
        // Signed by WorkOS but not an event the SDK can read: nothing to apply, and retrying won't help.
        options.logger.warn({ err: error }, "unreadable WorkOS webhook event");
        writeApiError(req, res, "BAD_REQUEST", "The body is not a WorkOS event");
        return;
      }
      // The SDK answers undefined for event types it does not know.
      const directoryEvent = toDirectoryEvent(event as typeof event | undefined);
      if (!directoryEvent) {
        res.status(200).json({ received: true, applied: false });
        return;
      }
      const outcome = await options.sync.applyEvents([directoryEvent]);
      if (outcome.applied > 0) options.logger.info({ event: directoryEvent.id, type: directoryEvent.type }, "webhook event applied");
      res.status(200).json({ received: true, applied: outcome.applied > 0 });
    } catch (error) {
      next(error);
    }
  });
  return router;
}
