import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadOrCreateDevKey, type DevKeyPair } from "./auth/dev-keys.ts";
import { createLocalVerifier } from "./auth/verify-token.ts";
import type { Config } from "./config.ts";
import { Database } from "./db/database.ts";
import { createApp } from "./http/app.ts";
import type { Logger } from "./logger.ts";
import { IdentityCache } from "./services/identity.ts";

export interface RunningServer {
  url: string;
  server: Server;
  db: Database;
  devKey: DevKeyPair;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

/** Opens the database (running migrations), builds the app and listens. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const db = await Database.open(config.database);
  const devKey = await loadOrCreateDevKey(config.auth.keyFile);
  const jwks = { keys: [devKey.publicJwk] };
  const app = createApp({
    deps: { db, verifier: createLocalVerifier(jwks, config.auth.issuer), identities: new IdentityCache() },
    logger,
    jwks,
    publicUrl: config.publicUrl,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  server.keepAliveTimeout = 5_000;
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await db.close();
    })());
  return { url, server, db, devKey, close };
}
