#!/usr/bin/env node
// Runs pnpm (pinned, bootstrapped through npx so a machine with only Node 20 and npm works) after making sure
// the workspace's dependencies are installed. Install output goes to stderr so that
// `npm run --silent token -- ...` prints nothing but the token on stdout.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pnpmSpec = pkg.packageManager; // e.g. "pnpm@10.34.9"
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

function pnpm(args, stdio) {
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
  const result = spawnSync(npx, ["-y", pnpmSpec, ...args], { cwd: root, stdio, env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function installIsCurrent() {
  const marker = join(root, "node_modules", ".modules.yaml");
  const lock = join(root, "pnpm-lock.yaml");
  if (!existsSync(marker) || !existsSync(lock)) return false;
  const installed = statSync(marker).mtimeMs;
  const inputs = [lock, join(root, "pnpm-workspace.yaml"), join(root, "package.json")];
  return inputs.every((file) => statSync(file).mtimeMs <= installed);
}

if (!installIsCurrent()) {
  const frozen = existsSync(join(root, "pnpm-lock.yaml")) && process.env.CI ? ["--frozen-lockfile"] : [];
  const status = pnpm(["install", ...frozen], ["ignore", process.stderr, process.stderr]);
  if (status !== 0) process.exit(status);
}

process.exit(pnpm(process.argv.slice(2), "inherit"));
