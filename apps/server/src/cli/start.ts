import { signDevToken } from "../auth/tokens.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { startServer } from "../server.ts";
import { DEMO_ADMIN, DEMO_ORG, databaseIsEmpty, seedDemoAccount } from "./demo-data.ts";

/**
 * `npm start`: seeds an empty database with the demo account, serves, and prints where, the OpenAPI
 * document's address, and a ready admin token for org_demo.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config);
  const running = await startServer(config, logger);
  if (await databaseIsEmpty(running.db)) await seedDemoAccount(running.db);
  const token = await signDevToken(running.devKey, {
    issuer: config.auth.issuer,
    organizationId: DEMO_ORG,
    userId: DEMO_ADMIN.userId,
    email: DEMO_ADMIN.email,
    name: DEMO_ADMIN.name,
    role: "admin",
    expiresInSeconds: 24 * 3600,
  });
  const banner = [
    "",
    `Workspace Admin is listening on ${running.url}`,
    `  OpenAPI document: ${running.url}/openapi.json`,
    `  Database:         ${config.database.dialect === "sqlite" ? config.database.file : "PostgreSQL"}`,
    "",
    "Admin token for org_demo (valid 24 hours):",
    token,
    "",
    "Try:",
    `  curl -H "Authorization: Bearer ${token.slice(0, 12)}…" ${running.url}/v1/account/workspaces`,
    `  TOKEN=$(npm run --silent token -- --org ${DEMO_ORG} --user ${DEMO_ADMIN.userId})`,
    `  curl -H "Authorization: Bearer $TOKEN" ${running.url}/v1/account/workspaces`,
    "",
  ];
  process.stdout.write(`${banner.join("\n")}\n`);
  const shutdown = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
