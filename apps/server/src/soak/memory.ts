import { memoryOf } from "../bench/processes.ts";

/**
 * The server's resident memory, read from /proc/<pid>/status (VmRSS) every 250 ms while the clients
 * run. The server is a process of its own, so what is measured is the server alone.
 */

export interface RssSample {
  /** Milliseconds since sampling started. */
  atMs: number;
  bytes: number;
}

export class RssSampler {
  readonly samples: RssSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private started = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.started = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): RssSample[] {
    clearInterval(this.timer);
    this.sample();
    return this.samples;
  }

  /** The latest sample, for progress lines. */
  latest(): number | undefined {
    return this.samples[this.samples.length - 1]?.bytes;
  }

  private sample(): void {
    const bytes = memoryOf(this.pid)?.rss;
    if (bytes !== undefined) this.samples.push({ atMs: performance.now() - this.started, bytes });
  }
}

export interface MemoryVerdict {
  samples: number;
  startMb: number;
  peakMb: number;
  endMb: number;
  /** Highest sample of the middle and of the last third of the run. */
  middleMaxMb: number;
  lastMaxMb: number;
  /** How much the last third's peak may exceed the middle third's. */
  allowedGrowthMb: number;
  /** Least-squares slope of the last two thirds, for the figures (not judged). */
  slopeMbPerMinute: number;
  /** False only when memory kept growing; a run too short to judge is reported as such, and passes. */
  ok: boolean;
  judged: boolean;
}

/** Slack of the rule: the larger of these. */
export const GROWTH_SLACK_MB = 20;
export const GROWTH_SLACK_RATIO = 0.15;
const MIN_SAMPLES = 12;

const mb = (bytes: number) => bytes / 1024 / 1024;

/**
 * Did memory keep growing? The run is cut into thirds by time. The first third is left out: a fresh
 * process grows while it warms up (JIT code, V8 sizing its heap, caches and the database pool filling),
 * and that is not a leak. A leak keeps growing after that, so the last third's peak would stand above
 * the middle third's. Peaks, not single samples, are compared because garbage collection makes RSS a
 * sawtooth; and the last peak may exceed the middle one by the larger of 20 MB and 15%, because V8
 * grows its heap in steps and the allocator returns memory lazily, so a healthy process can take one
 * more step late in a run. Memory that settles passes; memory that climbs through the run fails
 * once the climb over a third exceeds that slack, which a longer `npm run soak` makes easier to see.
 */
export function judgeMemory(samples: RssSample[]): MemoryVerdict {
  const bytes = samples.map((s) => s.bytes);
  const base = {
    samples: samples.length,
    startMb: mb(bytes[0] ?? 0),
    peakMb: mb(Math.max(0, ...bytes)),
    endMb: mb(bytes[bytes.length - 1] ?? 0),
  };
  if (samples.length < MIN_SAMPLES) {
    return { ...base, middleMaxMb: 0, lastMaxMb: 0, allowedGrowthMb: 0, slopeMbPerMinute: 0, ok: true, judged: false };
  }
  const end = samples[samples.length - 1]!.atMs;
  const third = (s: RssSample) => Math.min(2, Math.floor((s.atMs / end) * 3));
  const middle = samples.filter((s) => third(s) === 1).map((s) => s.bytes);
  const last = samples.filter((s) => third(s) === 2).map((s) => s.bytes);
  const middleMax = Math.max(...middle);
  const lastMax = Math.max(...last);
  const allowed = Math.max(GROWTH_SLACK_MB * 1024 * 1024, GROWTH_SLACK_RATIO * middleMax);
  return {
    ...base,
    middleMaxMb: mb(middleMax),
    lastMaxMb: mb(lastMax),
    allowedGrowthMb: mb(allowed),
    slopeMbPerMinute: slope(samples.filter((s) => third(s) >= 1)),
    ok: lastMax - middleMax <= allowed,
    judged: true,
  };
}

/** MB per minute, least squares. */
function slope(samples: RssSample[]): number {
  const n = samples.length;
  const meanX = samples.reduce((sum, s) => sum + s.atMs, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + s.bytes, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.atMs - meanX) * (s.bytes - meanY);
    den += (s.atMs - meanX) ** 2;
  }
  return den === 0 ? 0 : mb(num / den) * 60_000;
}
