import { loadConfig } from "../config.ts";
import { Database } from "../db/database.ts";

/**
 * npm run migrate: applies pending migrations to DATABASE_URL (SQLite or PostgreSQL). The server also
 * does this at start; running both at once is safe (see `Database.migrate`).
 */
async function main() {
  const config = loadConfig();
  const db = await Database.open(config.database, { migrate: false });
  try {
    const applied = await db.migrate();
    console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Schema is up to date.");
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
