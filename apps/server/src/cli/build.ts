import { cpSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";

/**
 * `npm run build`: the server as one ES module, `dist/main.mjs`, run with plain `node` (no TypeScript
 * loader). Our own source and the workspace packages (which export TypeScript) are bundled; npm
 * dependencies stay external and load from node_modules. Starting from it skips the TypeScript
 * loader's per-module round trips, which are most of `tsx`'s start-up time.
 */
const root = resolve(import.meta.dirname, "../..");
export const BUILT_SERVER = resolve(root, "dist/main.mjs");

export async function buildServer(): Promise<string> {
  const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const external = Object.entries(pkg.dependencies)
    .filter(([, version]) => !version.startsWith("workspace:"))
    .map(([name]) => name);
  await build({
    entryPoints: [resolve(root, "src/main.ts")],
    outfile: BUILT_SERVER,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external,
    sourcemap: true,
    logLevel: "warning",
  });
  // Files the server reads beside its own module (http/docs.ts: the /docs page) go beside the bundle.
  cpSync(resolve(root, "src/http/docs"), resolve(root, "dist/docs"), { recursive: true });
  return BUILT_SERVER;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  buildServer().then(
    (file) => console.log(`Built ${file}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
