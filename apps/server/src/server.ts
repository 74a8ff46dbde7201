import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JSONWebKeySet } from "jose";
import { loadOrCreateDevKey, type DevKeyPair } from "./auth/dev-keys.ts";
import { cacheVerifiedTokens } from "./auth/verified-token-cache.ts";
import { createLocalVerifier, createWorkosVerifier, type TokenVerifier } from "./auth/verify-token.ts";
import type { Config } from "./config.ts";
import { Database } from "./db/database.ts";
import { createApp } from "./http/app.ts";
import { withAccessLog } from "./http/access-log.ts";
import { Draining } from "./http/draining.ts";
import { withFastReads } from "./http/fast-reads.ts";
import { withRateLimits } from "./http/rate-limit.ts";
import { workosWebhookRouter } from "./http/workos-webhook.ts";
import type { Logger } from "./logger.ts";
import { DirectorySync } from "./services/directory-sync.ts";
import { IdentityCache } from "./services/identity.ts";
import { createWorkosClient } from "./workos/client.ts";
import { workosDirectorySource } from "./workos/directory-source.ts";

export interface RunningServer {
  url: string;
  server: Server;
  db: Database;
  /** Dev mode only: the local signing key. In WorkOS mode none is created or accepted. */
  devKey: DevKeyPair | undefined;
  /** WorkOS mode with an API key: directory sync (polled on WORKOS_SYNC_INTERVAL_SECONDS, and the webhook). */
  directorySync: DirectorySync | undefined;
  /**
   * Graceful shutdown: stops accepting connections, lets in-flight requests finish (new ones on open
   * connections get a 503) for at most SHUTDOWN_TIMEOUT_MS, stops the sync timer, then closes the database.
   */
  close(): Promise<void>;
}

/**
 * Opens the database (running migrations), builds the app and listens. A PostgreSQL database that is
 * down does not stop the start: the server answers 503 until it is reachable (see `Database.start`).
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const db = await Database.start(config.database, {
    onStateChange: (state, error) => {
      if (state === "up") logger.info({ database: config.database.dialect }, "database is up; migrations applied");
      else logger.warn({ err: error, database: config.database.dialect }, "database unavailable; retrying in the background");
    },
  });
  const identities = new IdentityCache();

  let verifier: TokenVerifier;
  let devKey: DevKeyPair | undefined;
  let jwks: JSONWebKeySet | undefined;
  if (config.auth.mode === "workos") {
    verifier = createWorkosVerifier(config.auth);
  } else {
    devKey = await loadOrCreateDevKey(config.auth.keyFile);
    jwks = { keys: [devKey.publicJwk] };
    verifier = createLocalVerifier(jwks, config.auth.issuer);
  }

  let directorySync: DirectorySync | undefined;
  let workosWebhook;
  if (config.workos) {
    const workos = createWorkosClient(config.workos);
    directorySync = new DirectorySync(db, workosDirectorySource(workos), logger, {
      pageSize: config.workos.syncPageSize,
      // A profile changed: no cached admin identity may outlive it.
      onChange: () => identities.clear(),
    });
    if (config.workos.webhookSecret) {
      workosWebhook = workosWebhookRouter({
        workos,
        secret: config.workos.webhookSecret,
        toleranceSeconds: config.workos.webhookToleranceSeconds,
        sync: directorySync,
        logger,
      });
    }
  }

  const deps = { db, verifier: cacheVerifiedTokens(verifier), identities };
  const app = createApp({
    deps,
    logger,
    jwks,
    publicUrl: config.publicUrl,
    workosWebhook,
  });
  // The request's way in, outermost first: id and log line, refusal while shutting down, rate limits,
  // the read fast path, express.
  const draining = new Draining(config.shutdownTimeoutMs);
  const listener = withAccessLog(
    draining.guard(withRateLimits(withFastReads(app, deps), { config: config.rateLimit, verifier: deps.verifier })),
    logger,
  );
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = createServer(listener);
    listening.once("error", reject);
    listening.listen(config.port, config.host, () => resolve(listening));
  });
  server.keepAliveTimeout = 5_000;
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;
  if (directorySync && config.workos) directorySync.start(config.workos.syncIntervalSeconds);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const { timedOut } = await draining.drain(server);
      if (timedOut) logger.warn({ timeoutMs: config.shutdownTimeoutMs }, "shutdown: cut connections still open after the timeout");
      await directorySync?.stop();
      await db.close();
    })());
  return { url, server, db, devKey, directorySync, close };
}
