import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.ts";
import { Database } from "../db/database.ts";
import { createLogger } from "../logger.ts";
import { DirectorySync } from "../services/directory-sync.ts";
import { createWorkosClient } from "../workos/client.ts";
import { workosDirectorySource } from "../workos/directory-source.ts";

/**
 * npm run sync [-- --full]: one directory sync pass: reads WorkOS events from the stored cursor to the
 * end, applies them, and prints what changed. `--full` first imports every organization as it is now
 * (the first pass ever always does). Safe beside a running server (the cursor is compare-and-set).
 */
async function main() {
  const { values } = parseArgs({ options: { full: { type: "boolean", default: false } }, strict: true });
  const config = loadConfig();
  if (!config.workos) {
    throw new ConfigError("npm run sync needs WorkOS: set WORKOS_CLIENT_ID and WORKOS_API_KEY (see the README, section Production with WorkOS).");
  }
  const logger = createLogger(config, 2);
  const db = await Database.open(config.database);
  try {
    const sync = new DirectorySync(db, workosDirectorySource(createWorkosClient(config.workos)), logger, {
      pageSize: config.workos.syncPageSize,
    });
    const result = await sync.runOnce({ full: values.full });
    if (result.imported) {
      console.log(
        `Imported ${result.imported.organizations} organizations: ${result.imported.profilesChanged} profiles changed, ` +
          `${result.imported.membershipsEnded} workspace memberships ended.`,
      );
    }
    console.log(
      `Directory sync: ${result.applied} events applied, ${result.skipped} already applied, ` +
        `${result.profilesChanged} profiles changed, ${result.membershipsEnded} workspace memberships ended; ` +
        `cursor ${result.cursor ?? "(start)"}.`,
    );
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
