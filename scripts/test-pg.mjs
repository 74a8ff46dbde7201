#!/usr/bin/env node
// `test:pg` of a package: runs its vitest suites with TEST_DATABASE=postgres against the PostgreSQL named by
// DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test). Each test server makes a schema of its own
// there and drops it at close. PostgreSQL unreachable: with CI set that is a failure; without CI (a laptop
// with no PostgreSQL) the run is reported as not done and exits 0, so `npm test` stays the only requirement.
import { spawnSync } from "node:child_process";
import { connect } from "node:net";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";
const url = process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : DEFAULT_URL;
const { hostname, port } = new URL(url);
const host = hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";

function reachable() {
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port || 5432), timeout: 3000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

if (!(await reachable())) {
  const message = `PostgreSQL is not reachable at ${host}:${port || 5432} (from DATABASE_URL or the default)`;
  if (process.env.CI) {
    console.error(`test:pg FAILED: ${message}. CI requires it.`);
    process.exit(1);
  }
  console.error(`test:pg NOT RUN: ${message}. Start PostgreSQL or set DATABASE_URL; with CI set this fails.`);
  process.exit(0);
}

const vitest = process.platform === "win32" ? "vitest.cmd" : "vitest";
const result = spawnSync(vitest, ["run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, TEST_DATABASE: "postgres", DATABASE_URL: url },
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
