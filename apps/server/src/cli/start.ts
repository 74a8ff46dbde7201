import type { DevKeyPair } from "../auth/dev-keys.ts";
import { signDevToken } from "../auth/tokens.ts";
import { type Config, ConfigError, loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { type RunningServer, startServer } from "../server.ts";
import { DEMO_ADMIN, DEMO_ORG, databaseIsEmpty, seedDemoAccount } from "./demo-data.ts";

/**
 * `npm start`: in dev mode, seeds an empty database with the demo account, serves, and prints where,
 * the OpenAPI document's address, and a ready admin token for org_demo. In WorkOS mode it only serves:
 * tokens come from WorkOS and people from directory sync.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config);
  const running = await startServer(config, logger);
  if (config.auth.mode === "dev" && running.devKey) {
    await printDevBanner(config, config.auth.issuer, running.devKey, running);
  } else {
    process.stdout.write(`\nWorkspace Admin (WorkOS mode) is listening on ${running.url}\n\n`);
  }
  const shutdown = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

async function printDevBanner(config: Config, issuer: string, devKey: DevKeyPair, running: RunningServer) {
  // PostgreSQL may still be down: the server waits for it (503 meanwhile) and the demo data is skipped.
  if (running.db.state === "up" && (await databaseIsEmpty(running.db))) await seedDemoAccount(running.db);
  const token = await signDevToken(devKey, {
    issuer,
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
    `  Live API docs:    ${running.url}/docs`,
    `  Database:         ${config.database.dialect === "sqlite" ? config.database.file : "PostgreSQL"} (${running.db.state})`,
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
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
