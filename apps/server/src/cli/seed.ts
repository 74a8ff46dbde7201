import { loadConfig } from "../config.ts";
import { Database } from "../db/database.ts";
import { seedDemoAccount } from "./demo-data.ts";

/** npm run seed: fills the demo account `org_demo`. Running it again changes nothing. */
async function main() {
  const config = loadConfig();
  const db = await Database.open(config.database);
  try {
    const result = await seedDemoAccount(db);
    console.log(`Seeded org_demo: ${result.profiles} profiles, ${result.workspaces} workspaces.`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
