import type { RequestListener, Server, ServerResponse } from "node:http";
import { writeApiError } from "./errors.ts";

/**
 * Graceful shutdown for an HTTP server. `drain()` stops accepting connections, lets every request already
 * being served finish (its answer then closes its connection, so the client does not reuse a closing
 * server), answers 503 to requests that still arrive on open keep-alive connections, and resolves once
 * every connection is closed, or after `timeoutMs`, when the rest are cut so that shutdown cannot hang
 * on a stuck client.
 */
export class Draining {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly timeoutMs: number) {}

  /** Wraps the server's request listener. */
  guard(next: RequestListener): RequestListener {
    return (req, res) => {
      if (this.draining) {
        writeApiError(req, res, "SERVICE_UNAVAILABLE", "The server is shutting down; retry", { Connection: "close" });
        return;
      }
      this.inFlight.add(res);
      // `close` comes once per response: after `finish`, or when its connection went first.
      res.once("close", () => this.inFlight.delete(res));
      next(req, res);
    };
  }

  async drain(server: Server): Promise<{ timedOut: boolean }> {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
    let timedOut = false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timedOut = true;
        server.closeAllConnections();
      }, this.timeoutMs);
      timer.unref();
      // Keep-alive connections that carry no request are closed at once and again as answers finish;
      // busy ones close after their answer (`Connection: close`).
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      sweep.unref();
      server.close(() => {
        clearTimeout(timer);
        clearInterval(sweep);
        resolve();
      });
      server.closeIdleConnections();
    });
    return { timedOut };
  }
}
