import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildOpenApiDocument, DOCUMENT_BASE_URL } from "../http/openapi.ts";
import { appRouter } from "../trpc/router.ts";

/**
 * `npm run openapi`: writes the OpenAPI document generated from the router to `openapi.json` at the
 * repository root. `npm run openapi -- --check` exits 1 when the committed file is out of date.
 */
export const DOCUMENT_FILE = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../openapi.json");

export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(appRouter, DOCUMENT_BASE_URL), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rendered = renderOpenApiDocument();
  if (process.argv.includes("--check")) {
    let committed = "";
    try {
      committed = readFileSync(DOCUMENT_FILE, "utf8");
    } catch {
      // missing: out of date
    }
    if (committed !== rendered) {
      console.error(`${DOCUMENT_FILE} is out of date: run \`npm run openapi\``);
      process.exit(1);
    }
    console.error(`${DOCUMENT_FILE} is up to date`);
  } else {
    writeFileSync(DOCUMENT_FILE, rendered);
    console.error(`wrote ${DOCUMENT_FILE}`);
  }
}
