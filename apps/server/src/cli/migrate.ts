import { loadConfig } from "../config.ts";
import { Database } from "../db/database.ts";

/** npm run migrate: applies pending migrations to DATABASE_URL (the server also does this at start). */
async function main() {
  const config = loadConfig();
  const db = await Database.open(config.database, { migrate: false });
  try {
    const applied = await db.dataSource.runMigrations({ transaction: "all" });
    console.log(applied.length ? `Applied: ${applied.map((m) => m.name).join(", ")}` : "Schema is up to date.");
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
