import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { endpointNames } from "@workspace-admin/contracts";
import { describe, expect, it } from "vitest";
import { judgeMemory, type RssSample } from "../../src/soak/memory.ts";
import { formatSoakReport } from "../../src/soak/report.ts";
import { runSoak } from "../../src/soak/soak.ts";
import { createTestDatabase } from "../support/index.ts";

// The bounded soak of `npm test` (and `npm run test:pg`): the same run as `npm run soak`, on the test
// database, for SOAK_SECONDS. A longer one: `npm run soak -- --seconds 600`.
const SOAK_SECONDS = 20;
const CLIENTS = 16;

describe("soak", () => {
  it(`keeps ${CLIENTS} concurrent admins mixing every operation for ${SOAK_SECONDS} s in line with the model: no 5xx, the database equals the model, memory levels off`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-soak-test-"));
    const database = await createTestDatabase(dataDir);
    const seed = Math.floor(Math.random() * 2 ** 31);
    try {
      const result = await runSoak({ seconds: SOAK_SECONDS, clients: CLIENTS, seed, databaseUrl: database.url, dataDir });
      console.log(formatSoakReport(result));
      expect(result.failures, `seed ${seed}; server output:\n${result.serverOutput}`).toEqual([]);
      // A soak that barely ran proves nothing: every operation was exercised, and succeeded at least once.
      for (const name of endpointNames) {
        const statuses = result.stats.ops.get(name)?.statuses ?? new Map<number, number>();
        const successes = [...statuses].filter(([status]) => status >= 200 && status < 300).reduce((n, [, count]) => n + count, 0);
        expect(successes, `${name}: ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
      }
      expect(result.stats.protocols.rest).toBeGreaterThan(0);
      expect(result.stats.protocols.trpc).toBeGreaterThan(0);
      expect(result.memory.judged).toBe(true);
    } finally {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("the soak's memory judgement", () => {
  const MB = 1024 * 1024;
  /** One sample every 250 ms for `seconds`, RSS from `mb(t)` with t in 0..1. */
  const series = (seconds: number, mb: (t: number) => number): RssSample[] =>
    Array.from({ length: seconds * 4 + 1 }, (_, i) => ({ atMs: i * 250, bytes: mb(i / (seconds * 4)) * MB }));

  it("passes memory that warms up, then saws up and down around a level", () => {
    const verdict = judgeMemory(series(30, (t) => (t < 0.3 ? 150 + 150 * t : 190 + 10 * Math.sin(t * 60))));
    expect(verdict).toMatchObject({ judged: true, ok: true });
  });

  it("fails memory that keeps climbing after the warm-up", () => {
    const verdict = judgeMemory(series(30, (t) => 150 + 200 * t));
    expect(verdict).toMatchObject({ judged: true, ok: false });
    expect(verdict.slopeMbPerMinute).toBeGreaterThan(300);
  });

  it("does not judge a run too short to tell", () => {
    expect(judgeMemory(series(2, (t) => 150 + 500 * t))).toMatchObject({ judged: false, ok: true });
  });
});
