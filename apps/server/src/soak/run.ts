import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createPostgresSchema } from "./database.ts";
import { formatSoakReport } from "./report.ts";
import { DEFAULT_HEAP_LIMIT_MB, runSoak } from "./soak.ts";

/**
 * `npm run soak -- --seconds N [--clients 16] [--database-url postgres://...] [--seed S] [--heap-mb 128] [--keep]`
 *
 * Runs the soak against a server process of its own on a fresh database: a SQLite file in a temporary
 * DATA_DIR by default, or a new schema in the PostgreSQL database given (dropped afterwards). Prints
 * progress every 5 s, then the figures; exits 1 if an invariant failed. `--keep` leaves the data
 * directory (and the schema) in place for a look afterwards.
 */
const USAGE = "usage: npm run soak -- --seconds N [--clients 16] [--database-url URL] [--seed S] [--heap-mb 128] [--keep]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "60" },
      clients: { type: "string", default: "16" },
      "database-url": { type: "string" },
      seed: { type: "string" },
      "heap-mb": { type: "string", default: String(DEFAULT_HEAP_LIMIT_MB) },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const seconds = Number(values.seconds);
  const clients = Number(values.clients);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const heapLimitMb = Number(values["heap-mb"]);
  if (!(seconds > 0) || !Number.isInteger(clients) || clients < 1 || !Number.isInteger(seed) || !(heapLimitMb >= 32)) {
    console.error(USAGE);
    return 2;
  }

  const dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-soak-"));
  const given = values["database-url"];
  if (given !== undefined && !given.startsWith("postgres")) {
    console.error("--database-url must be a PostgreSQL URL (the default is a SQLite file in a temporary directory)");
    return 2;
  }
  const schema = given === undefined ? undefined : await createPostgresSchema(given);
  const databaseUrl = schema?.url ?? `sqlite:${join(dataDir, "workspace-admin.sqlite")}`;
  console.log(
    `Soak: ${clients} clients for ${seconds} s, seed ${seed}, on ${schema ? `PostgreSQL schema ${schema.schema}` : "SQLite"} ` +
      `(data directory ${dataDir})`,
  );
  try {
    const result = await runSoak({ seconds, clients, seed, databaseUrl, dataDir, heapLimitMb, progress: (line) => console.log(line) });
    console.log(`\n${formatSoakReport(result)}`);
    return result.ok ? 0 : 1;
  } finally {
    if (values.keep) console.log(`Kept: ${dataDir}${schema ? ` and schema ${schema.schema}` : ""}`);
    else {
      rmSync(dataDir, { recursive: true, force: true });
      await schema?.drop();
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
