import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { startServer } from "./server.ts";

/** Process entry: read config, open the database, listen; on SIGTERM/SIGINT finish in-flight work and exit. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config);
  const running = await startServer(config, logger);
  logger.info({ url: running.url, database: config.database.dialect }, "listening");
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    running.close().then(
      () => {
        logger.info({ signal }, "shut down cleanly: in-flight requests finished, database closed");
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  // An error no request handler caught: log it where operators look, then stop (the orchestrator
  // restarts a clean process; every acknowledged write is already committed).
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception; exiting");
    logger.flush();
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
