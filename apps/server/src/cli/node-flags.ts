import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

/**
 * The node flags the server runs with in production: those of `npm run start:built` (package.json), so
 * that the benchmark measures it as it is deployed. Chiefly the V8 heap limit: without one, V8 sizes
 * its heap by the machine's memory and lets garbage pile up (RSS 260 MB under the benchmark on this
 * 24 GiB machine; 168 MB with the limit, at the same throughput).
 */
export function productionNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
  return (pkg.scripts["start:built"] ?? "").split(/\s+/).filter((arg) => arg.startsWith("--"));
}

/** The V8 heap limit of `productionNodeFlags()` (`--max-old-space-size`), in MB, if it sets one. */
export function productionHeapLimitMb(): number | undefined {
  const flag = productionNodeFlags().find((arg) => arg.startsWith("--max-old-space-size="));
  return flag === undefined ? undefined : Number(flag.slice("--max-old-space-size=".length));
}
