import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { loadOrCreateDevKey } from "../auth/dev-keys.ts";
import { signDevToken } from "../auth/tokens.ts";
import { buildServer } from "../cli/build.ts";
import { productionNodeFlags } from "../cli/node-flags.ts";
import { loadConfig } from "../config.ts";
import { encodeCursor } from "../services/pagination.ts";
import { BENCH_ADMIN, BENCH_DB_FILE, BENCH_DIR, BENCH_ORG, type DatasetManifest, MANIFEST_FILE } from "./dataset.ts";
import { type BenchRequest, fetchOnce, type LoadResult, runLoad, runSequential } from "./load.ts";
import { pinCores, type ServerProcess, startServerProcess } from "./processes.ts";

/**
 * `npm run bench`: the API against its floors, side by side in one run, on the scale data set
 * (generated first if missing: `npm run bench:data`).
 *
 * Targets: floor (node:http + the same SQL), express (a bare route with a body of the same size),
 * rest and trpc (our server, full stack with authentication). Each server runs in its own process.
 * Env: BENCH_SECONDS (per measurement, default 5), BENCH_CONNECTIONS (default 8), BENCH_SEQUENTIAL
 * (requests per concurrency-1 latency check, default 1000).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 300);
const WARMUP_SECONDS = 2;
const RESULTS_FILE = resolve(import.meta.dirname, "../../bench-results/latest.json");

/** Substring searches cycled through by the search scenario: common and rare, several alphabets. */
const SEARCH_TERMS = ["ström", "lovelace.4242", "οδυσσέας", "ivanov.9", "MÜLLER", ".777@", "анна", "garcía.5"];

type Target = "floor" | "express" | "rest" | "trpc";
type Op = "getWorkspace" | "listWorkspaces" | "listMembers" | "searchProfiles" | "addMember";
const OPS: Op[] = ["getWorkspace", "listWorkspaces", "listMembers", "searchProfiles", "addMember"];

interface Row extends LoadResult {
  op: Op;
  target: Target;
}

function ensureDataset(): DatasetManifest {
  if (!existsSync(MANIFEST_FILE) || !existsSync(BENCH_DB_FILE)) {
    const generated = spawnSync(process.execPath, ["--import", "tsx", resolve(import.meta.dirname, "generate-data.ts")], {
      stdio: "inherit",
      cwd: resolve(import.meta.dirname, "../.."),
    });
    if (generated.status !== 0) throw new Error("Generating the data set failed");
  }
  return JSON.parse(readFileSync(MANIFEST_FILE, "utf8")) as DatasetManifest;
}

/** Removes what earlier runs added, so that adds never collide with an existing membership. */
function resetAndReadProfileIds(manifest: DatasetManifest): string[] {
  const sqlite = new BetterSqlite3(BENCH_DB_FILE);
  const placeholders = manifest.emptyWorkspaceIds.map(() => "?").join(", ");
  sqlite.prepare(`DELETE FROM workspace_members WHERE workspace_id IN (${placeholders})`).run(...manifest.emptyWorkspaceIds);
  const ids = sqlite
    .prepare("SELECT id FROM profiles WHERE account_id = ? ORDER BY id LIMIT 400000")
    .pluck()
    .all(manifest.accountId) as string[];
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.close();
  return ids;
}

function requestsFor(
  op: Op,
  target: Target,
  m: DatasetManifest,
  auth: Record<string, string>,
  nextProfile: () => string,
): BenchRequest[] {
  const trpcGet = (procedure: string, input: unknown): BenchRequest => ({
    method: "GET",
    path: `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
    headers: auth,
  });
  const headers = target === "floor" || target === "express" ? {} : auth;
  const addTo = { floor: 0, rest: 1, trpc: 2, express: 0 }[target];
  if (target === "express") return [{ method: op === "addMember" ? "POST" : "GET", path: `/bench/${op}` }];
  if (target === "trpc") {
    switch (op) {
      case "getWorkspace":
        return [trpcGet("workspaces.get", { workspaceId: m.bigWorkspaceId })];
      case "listWorkspaces":
        return [trpcGet("workspaces.list", {})];
      case "listMembers":
        return [trpcGet("members.list", { workspaceId: m.bigWorkspaceId })];
      case "searchProfiles":
        return SEARCH_TERMS.map((query) => trpcGet("profiles.search", { query }));
      case "addMember":
        return [
          {
            method: "POST",
            path: "/trpc/members.add",
            headers: auth,
            body: () => JSON.stringify({ workspaceId: m.emptyWorkspaceIds[addTo], profileId: nextProfile() }),
          },
        ];
    }
  }
  const workspaces = "/v1/account/workspaces";
  switch (op) {
    case "getWorkspace":
      return [{ method: "GET", path: `${workspaces}/${m.bigWorkspaceId}`, headers }];
    case "listWorkspaces":
      return [{ method: "GET", path: workspaces, headers }];
    case "listMembers":
      return [{ method: "GET", path: `${workspaces}/${m.bigWorkspaceId}/members`, headers }];
    case "searchProfiles":
      return SEARCH_TERMS.map((query) => ({
        method: "GET" as const,
        path: `/v1/account/profiles?query=${encodeURIComponent(query)}`,
        headers,
      }));
    case "addMember":
      return [
        {
          method: "POST",
          path: `${workspaces}/${m.emptyWorkspaceIds[addTo]}/members`,
          headers,
          body: () => JSON.stringify({ profileId: nextProfile() }),
        },
      ];
  }
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function main() {
  const manifest = ensureDataset();
  const pinning = pinCores();
  const profileIds = resetAndReadProfileIds(manifest);
  const counters: Record<Target, number> = { floor: 0, express: 0, rest: 0, trpc: 0 };
  const nextProfileFor = (target: Target) => () => profileIds[counters[target]++ % profileIds.length]!;

  // Our server's dev key lives in the bench directory; the runner signs its token with it.
  const config = loadConfig({ DATA_DIR: BENCH_DIR, DATABASE_URL: `sqlite:${BENCH_DB_FILE}` });
  if (config.auth.mode !== "dev") throw new Error("The benchmark runs the server in dev auth mode");
  const key = await loadOrCreateDevKey(config.auth.keyFile);
  const token = await signDevToken(key, {
    issuer: config.auth.issuer,
    organizationId: BENCH_ORG,
    ...BENCH_ADMIN,
    role: "admin",
    expiresInSeconds: 3600,
  });
  const auth = { authorization: `Bearer ${token}` };
  const load = { start: loadavg()[0]!, end: 0 };
  const rows: Row[] = [];
  const latency: { name: string; target: Target; result: LoadResult }[] = [];
  const peakRss: Partial<Record<Target | "ours", number>> = {};

  const measure = async (server: ServerProcess, op: Op, target: Target) => {
    const requests = requestsFor(op, target, manifest, auth, nextProfileFor(target));
    const probe = await fetchOnce(server.url, requests[0]!);
    if (probe.status >= 300) throw new Error(`${target} ${op}: ${probe.status} ${probe.body.slice(0, 300)}`);
    await runLoad(server.url, requests, { connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    const result = await runLoad(server.url, requests, { connections: CONNECTIONS, seconds: SECONDS });
    rows.push({ op, target, ...result });
    process.stdout.write(`  ${target.padEnd(7)} ${op.padEnd(15)} ${fmt(result.rps, 0).padStart(7)} req/s\n`);
    return probe;
  };
  const sequential = async (server: ServerProcess, target: Target, name: string, requests: BenchRequest[]) => {
    const probe = await fetchOnce(server.url, requests[0]!);
    if (probe.status >= 300) throw new Error(`${target} ${name}: ${probe.status} ${probe.body.slice(0, 300)}`);
    await runSequential(server.url, requests, Math.min(200, SEQUENTIAL));
    latency.push({ name, target, result: await runSequential(server.url, requests, SEQUENTIAL) });
  };
  const latencyChecks = (target: "floor" | "rest") => {
    const headers = target === "rest" ? auth : {};
    const members = `/v1/account/workspaces/${manifest.bigWorkspaceId}/members`;
    const checks: [string, BenchRequest[]][] = [
      ["search (mix of terms), c=1", requestsFor("searchProfiles", target, manifest, auth, () => "")],
      ...SEARCH_TERMS.map((term): [string, BenchRequest[]] => [
        `search "${term}", c=1`,
        [{ method: "GET", path: `/v1/account/profiles?query=${encodeURIComponent(term)}`, headers }],
      ]),
      ["search 2 chars \"an\" (no trigram), c=1", [{ method: "GET", path: "/v1/account/profiles?query=an", headers }]],
      ["members page 1, c=1", [{ method: "GET", path: members, headers }]],
      [
        "members page 1000, c=1",
        [{ method: "GET", path: `${members}?cursor=${encodeCursor(manifest.memberBeforePage1000)}`, headers }],
      ],
    ];
    return checks;
  };

  // 1. Our server: cold start, then REST and tRPC. Its answers give the bare express route its bodies.
  console.log(`Data set: ${manifest.profiles} profiles, ${manifest.workspaces} workspaces, ${manifest.members} members`);
  // Dev auth (the runner signs with the dev key): production mode requires WorkOS.
  const serverEnv = {
    NODE_ENV: "development",
    DATA_DIR: BENCH_DIR,
    DATABASE_URL: `sqlite:${BENCH_DB_FILE}`,
    LOG_LEVEL: "warn",
    // The limiter runs (its cost is measured) but never refuses the load generator.
    RATE_LIMIT_PER_ACCOUNT: "1000000000",
    RATE_LIMIT_PER_IP: "1000000000",
  };
  // For reference: the start under the TypeScript loader (`npm start`), then the built server, measured.
  const flags = productionNodeFlags();
  const viaTsx = await startServerProcess("ours (tsx)", [...flags, "--import", "tsx", "src/main.ts"], serverEnv);
  await viaTsx.stop();
  const built = await buildServer();
  const ours = await startServerProcess("ours", [...flags, built], serverEnv);
  console.log(
    `Our server (node ${[...flags, "dist/main.mjs"].join(" ")}, as npm run start:built) ready in ${fmt(ours.startMs, 0)} ms ` +
      `(built; ${fmt(viaTsx.startMs, 0)} ms under tsx)`,
  );
  // One warm-up pass over every scenario first, so that the first one measured is not also the JIT's.
  for (const op of OPS) {
    for (const target of ["rest", "trpc"] as const) {
      const requests = requestsFor(op, target, manifest, auth, nextProfileFor(target));
      await runLoad(ours.url, requests, { connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    }
  }
  const bodies: Record<string, { method: string; path: string; status: number; body: string }> = {};
  for (const op of OPS) {
    const probe = await measure(ours, op, "rest");
    bodies[op] = { method: op === "addMember" ? "POST" : "GET", path: `/bench/${op}`, status: probe.status, body: probe.body };
    await measure(ours, op, "trpc");
  }
  for (const [name, requests] of latencyChecks("rest")) await sequential(ours, "rest", name, requests);
  peakRss.ours = ours.peakRss();
  await ours.stop();

  // 2. The floor.
  const floor = await startServerProcess("floor", ["--import", "tsx", "src/bench/floor-server.ts"], {});
  for (const op of OPS) await measure(floor, op, "floor");
  for (const [name, requests] of latencyChecks("floor")) await sequential(floor, "floor", name, requests);
  peakRss.floor = floor.peakRss();
  await floor.stop();

  // 3. Bare express with bodies of the same size.
  mkdirSync(BENCH_DIR, { recursive: true });
  const bodiesFile = resolve(BENCH_DIR, "express-bodies.json");
  writeFileSync(bodiesFile, JSON.stringify(bodies));
  const express = await startServerProcess("express", ["--import", "tsx", "src/bench/express-server.ts"], { BENCH_BODIES_FILE: bodiesFile });
  for (const op of OPS) await measure(express, op, "express");
  peakRss.express = express.peakRss();
  await express.stop();
  load.end = loadavg()[0]!;

  // Report.
  const find = (op: Op, target: Target) => rows.find((r) => r.op === op && r.target === target)!;
  const table = rows
    .sort((a, b) => OPS.indexOf(a.op) - OPS.indexOf(b.op) || a.target.localeCompare(b.target))
    .map((r) => {
      const f = find(r.op, "floor");
      const e = find(r.op, "express");
      return {
        ...r,
        rpsToFloor: r.rps / f.rps,
        rpsToExpress: r.rps / e.rps,
        p50ToFloor: r.p50 / f.p50,
        p50ToExpress: r.p50 / e.p50,
        p99ToFloor: r.p99 / f.p99,
        p99ToExpress: r.p99 / e.p99,
      };
    });
  const order: Target[] = ["floor", "express", "rest", "trpc"];
  table.sort((a, b) => OPS.indexOf(a.op) - OPS.indexOf(b.op) || order.indexOf(a.target) - order.indexOf(b.target));

  const lat = (name: string, target: Target) => latency.find((l) => l.name === name && l.target === target)!.result;
  const get = (target: Target) => table.find((r) => r.op === "getWorkspace" && r.target === target)!;
  const page1 = lat("members page 1, c=1", "rest");
  const page1000 = lat("members page 1000, c=1", "rest");
  const searchMix = lat("search (mix of terms), c=1", "rest");
  const targets = [
    { target: "REST GET workspace >= 0.35x floor rps", value: get("rest").rpsToFloor, met: get("rest").rpsToFloor >= 0.35 },
    { target: "tRPC GET workspace >= 0.35x floor rps", value: get("trpc").rpsToFloor, met: get("trpc").rpsToFloor >= 0.35 },
    { target: "REST GET workspace >= 0.8x express rps", value: get("rest").rpsToExpress, met: get("rest").rpsToExpress >= 0.8 },
    { target: "tRPC GET workspace >= 0.8x express rps", value: get("trpc").rpsToExpress, met: get("trpc").rpsToExpress >= 0.8 },
    { target: "search p95 <= 5 ms at c=1 (ms)", value: searchMix.p95, met: searchMix.p95 <= 5 },
    { target: "members page 1 p95 <= 5 ms at c=1 (ms)", value: page1.p95, met: page1.p95 <= 5 },
    { target: "members page 1000 p95 <= 5 ms at c=1 (ms)", value: page1000.p95, met: page1000.p95 <= 5 },
    { target: "members page 1000 p50 <= 1.5x page 1", value: page1000.p50 / page1.p50, met: page1000.p50 <= 1.5 * page1.p50 },
    { target: "server peak RSS <= 200 MB (MB)", value: mb(peakRss.ours!), met: peakRss.ours! <= 200 * 1024 * 1024 },
    { target: "cold start to /readyz <= 1500 ms (ms)", value: ours.startMs, met: ours.startMs <= 1500 },
  ];

  const lines: string[] = [];
  const header = ["op", "target", "req/s", "x floor", "x express", "p50 ms", "x floor", "x express", "p99 ms", "x floor", "x express", "non-2xx"];
  lines.push(`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`);
  for (const r of table) {
    lines.push(
      `| ${[r.op, r.target, fmt(r.rps, 0), fmt(r.rpsToFloor), fmt(r.rpsToExpress), fmt(r.p50), fmt(r.p50ToFloor), fmt(r.p50ToExpress), fmt(r.p99), fmt(r.p99ToFloor), fmt(r.p99ToExpress), String(r.non2xx + r.errors)].join(" | ")} |`,
    );
  }
  lines.push("", "| latency at concurrency 1 | target | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|");
  for (const l of latency) lines.push(`| ${l.name} | ${l.target} | ${fmt(l.result.p50)} | ${fmt(l.result.p95)} | ${fmt(l.result.p99)} |`);
  lines.push(
    "",
    `Server peak RSS: ours ${mb(peakRss.ours!)} MB, floor ${mb(peakRss.floor!)} MB, express ${mb(peakRss.express!)} MB. Cold start to /readyz: ${fmt(ours.startMs, 0)} ms built (node dist/main.mjs), ${fmt(viaTsx.startMs, 0)} ms under tsx.`,
    "",
    "| target | value | met |",
    "|---|---|---|",
    ...targets.map((t) => `| ${t.target} | ${fmt(t.value)} | ${t.met ? "yes" : "NO"} |`),
  );
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    pinning: pinning ?? null,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    loadAverage: load,
  };
  lines.push("", `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ${fmt(load.start)} at start, ${fmt(load.end)} at end.`);
  lines.push(
    pinning
      ? `Cores: every server under test on core ${pinning.server}, the load generator on core ${pinning.load} (taskset).`
      : "Cores: not pinned (no taskset, one core, or BENCH_PIN=0).",
  );
  console.log(`\n${lines.join("\n")}`);

  mkdirSync(resolve(RESULTS_FILE, ".."), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        settings: { seconds: SECONDS, connections: CONNECTIONS, sequential: SEQUENTIAL, searchTerms: SEARCH_TERMS, serverNodeFlags: flags },
        dataset: manifest,
        coldStartMs: { built: ours.startMs, tsx: viaTsx.startMs },
        peakRssMb: { ours: mb(peakRss.ours!), floor: mb(peakRss.floor!), express: mb(peakRss.express!) },
        throughput: table,
        latency: latency.map((l) => ({ name: l.name, target: l.target, ...l.result })),
        targets,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nWritten: ${RESULTS_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
