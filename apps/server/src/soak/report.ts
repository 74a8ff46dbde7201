import { endpointNames } from "@workspace-admin/contracts";
import { DEFAULT_HEAP_LIMIT_MB, type SoakResult } from "./soak.ts";

/** Percentile of sorted values (nearest rank). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

function statuses(counts: Map<number, number>): string {
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}: ${n}`)
    .join(", ");
}

/** The soak's figures, as `npm run soak` prints them and the test logs them. */
export function formatSoakReport(result: SoakResult): string {
  const { stats, memory, final, options } = result;
  const seconds = result.durationMs / 1000;
  const lines: string[] = [];
  lines.push(
    `Soak: ${options.clients} clients for ${fixed(seconds)} s on ${result.dialect}, seed ${options.seed} ` +
      `(server ready in ${fixed(result.startMs / 1000)} s)`,
    "",
    `${"operation".padEnd(20)} ${"requests".padStart(9)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}  statuses`,
  );
  const all: number[] = [];
  const allStatuses = new Map<number, number>();
  for (const name of endpointNames) {
    const op = stats.ops.get(name);
    const latencies = [...(op?.latencies ?? [])].sort((a, b) => a - b);
    all.push(...latencies);
    for (const [status, n] of op?.statuses ?? []) allStatuses.set(status, (allStatuses.get(status) ?? 0) + n);
    lines.push(
      `${name.padEnd(20)} ${String(latencies.length).padStart(9)} ${fixed(latencies.length / seconds).padStart(8)} ` +
        `${fixed(percentile(latencies, 50)).padStart(8)} ${fixed(percentile(latencies, 99)).padStart(8)}  ${statuses(op?.statuses ?? new Map())}`,
    );
  }
  all.sort((a, b) => a - b);
  lines.push(
    `${"all".padEnd(20)} ${String(all.length).padStart(9)} ${fixed(all.length / seconds).padStart(8)} ` +
      `${fixed(percentile(all, 50)).padStart(8)} ${fixed(percentile(all, 99)).padStart(8)}  ${statuses(allStatuses)}`,
    "",
    `protocols: REST ${stats.protocols.rest}, tRPC ${stats.protocols.trpc}`,
    [...stats.tags.entries()].map(([name, n]) => `${name} ${n}`).join(", "),
    `5xx answers: ${stats.serverErrors.length}; requests without an answer: ${stats.networkErrors}`,
    `server RSS (V8 heap capped at ${options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB} MB; ${memory.samples} samples, every 250 ms): start ${fixed(memory.startMb)} MB, peak ${fixed(memory.peakMb)} MB, ` +
      `end ${fixed(memory.endMb)} MB`,
    memory.judged
      ? `  peak of the middle third ${fixed(memory.middleMaxMb)} MB, of the last third ${fixed(memory.lastMaxMb)} MB ` +
          `(${memory.lastMaxMb >= memory.middleMaxMb ? "+" : ""}${fixed(memory.lastMaxMb - memory.middleMaxMb)} MB, allowed ` +
          `+${fixed(memory.allowedGrowthMb)} MB): ${memory.ok ? "not growing" : "KEPT GROWING"}; ` +
          `slope of the last two thirds ${memory.slopeMbPerMinute >= 0 ? "+" : ""}${fixed(memory.slopeMbPerMinute)} MB/min`
      : "  too few samples to judge growth (run longer)",
    `final state: ${final.workspaces} workspaces (${final.activeWorkspaces} active), ${final.activeMembers} active members, ` +
      `${final.auditEvents} audit events; ${final.failures.length === 0 ? "API and database equal the model" : "DIFFERS from the model"}`,
    `server exit code on SIGTERM: ${result.serverExitCode}`,
    "",
  );
  if (result.ok) lines.push("PASS: every answer matched the model, the database equals it, no 5xx, memory did not keep growing");
  else {
    lines.push(`FAIL: ${result.failures.length} invariant(s) failed:`);
    for (const failure of result.failures.slice(0, 30)) lines.push(`  - ${failure}`);
    if (result.failures.length > 30) lines.push(`  ... and ${result.failures.length - 30} more`);
    if (result.serverOutput) lines.push("", "server output (last lines):", result.serverOutput);
  }
  return lines.join("\n");
}
