import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Debian's chromium, headless, with nothing that talks to the network on its own. The browser tests need
 * it installed: `.ci/run` does so; on a dev machine, `apt-get update && apt-get install -y chromium`.
 */
/**
 * Called once per run by the global setup: on a fresh machine where the tests run as root with apt-get
 * (as CI does), installs Debian's chromium so that `npm test` needs nothing more than Node and npm.
 * Elsewhere it does nothing, and the browser test says how to install it.
 */
export function ensureChromiumInstalled(): void {
  if (existsSync(CHROMIUM_PATH) || process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) return;
  console.error("Installing Debian's chromium for the browser tests (apt-get install -y chromium)...");
  const options = { stdio: ["ignore", "ignore", "inherit"] as const, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } };
  spawnSync("apt-get", ["update"], { ...options, stdio: [...options.stdio] });
  spawnSync("apt-get", ["install", "-y", "chromium"], { ...options, stdio: [...options.stdio] });
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. The browser tests need it: ` +
        "run `apt-get update && apt-get install -y chromium` (as root), or set CHROMIUM_PATH.",
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
