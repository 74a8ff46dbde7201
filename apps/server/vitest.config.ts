import { configDefaults, defineConfig } from "vitest/config";

// test/postgres holds what only PostgreSQL has (outages, pool, statement timeout, SSL); it runs under
// `npm run test:pg` (TEST_DATABASE=postgres). Everything else runs on both databases.
const postgres = process.env.TEST_DATABASE === "postgres";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: postgres ? configDefaults.exclude : [...configDefaults.exclude, "test/postgres/**"],
    globalSetup: ["./test/support/global-setup.ts"],
    pool: "forks",
    // Several tests start real processes (tsx); on two busy cores one start can take 10-20 s.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Two cores: more workers only make each test server slower.
    maxWorkers: 2,
  },
});
