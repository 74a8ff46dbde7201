import type { RequestListener } from "node:http";
import type { Logger } from "../logger.ts";
import { identifyRequest, requestIdOf } from "./request-id.ts";

/**
 * The outermost layer: gives the request its id (echoed as `x-request-id`) and writes one structured
 * line per request when its answer is finished or its connection is gone: id, method, path (never the
 * query string, which can hold search terms and emails), status, duration and the client's address.
 * 5xx answers log at `error`, refusals (4xx) at `info` like successes: they are the caller's business.
 */
export function withAccessLog(next: RequestListener, logger: Logger): RequestListener {
  return (req, res) => {
    const started = process.hrtime.bigint();
    identifyRequest(req, res);
    // A response emits `close` once, whether it finished (after `finish`) or its connection went first.
    res.once("close", () => {
      const status = res.headersSent ? res.statusCode : 0;
      if (status < 500 && !logger.isLevelEnabled("info")) return;
      const url = req.url ?? "";
      const q = url.indexOf("?");
      const entry = {
        requestId: requestIdOf(req),
        method: req.method,
        path: q < 0 ? url : url.slice(0, q),
        status,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        ip: req.socket.remoteAddress,
        // The client went away before the answer was complete.
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (status >= 500) logger.error(entry, "request");
      else logger.info(entry, "request");
    });
    next(req, res);
  };
}
