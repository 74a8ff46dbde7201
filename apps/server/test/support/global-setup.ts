import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { ensureChromiumInstalled } from "./browser.ts";
import { dropRunSchemas, testDialect } from "./database.ts";

/**
 * Once per vitest run: an id that prefixes the run's PostgreSQL schemas, and at the end the removal of
 * any schema of the run still there (kept for a restart test, or left by a test that crashed).
 */
export default function setup(project: TestProject) {
  ensureChromiumInstalled();
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  project.provide("testRunId", runId);
  return async () => {
    if (testDialect === "postgres") await dropRunSchemas(runId);
  };
}
