import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { ProfilePage } from "@workspace-admin/contracts";
import { loadOrCreateDevKey } from "../auth/dev-keys.ts";
import { productionHeapLimitMb } from "../cli/node-flags.ts";
import { signDevToken } from "../auth/tokens.ts";
import { Api, Stats } from "./api.ts";
import { expectEqual, expectSuccess } from "./checks.ts";
import { openDirectDatabase } from "./database.ts";
import { judgeMemory, type MemoryVerdict, RssSampler } from "./memory.ts";
import { ClientModel, SoakModel } from "./model.ts";
import { Random } from "./random.ts";
import { startSoakServer } from "./server.ts";
import { type FinalState, verifyFinalState } from "./verify.ts";
import { SoakClient } from "./workload.ts";

/**
 * The soak: a real server process on a fresh database, `clients` admins of one account hammering it
 * with every operation for `seconds`, each answer checked against the model; then the API and the
 * database are compared with the model, and the server's memory over the run is judged.
 */

export interface SoakOptions {
  seconds: number;
  clients: number;
  /** The server's database: `sqlite:<file>` or a PostgreSQL URL (a schema of its own). */
  databaseUrl: string;
  /** The server's DATA_DIR (its dev signing key). */
  dataDir: string;
  seed: number;
  /** People of the account besides the clients (members to add and profiles to search). */
  people?: number;
  /**
   * The server's V8 old-space limit (`--max-old-space-size`), as a container's memory setting would cap
   * it. Uncapped on a 24 GiB machine, V8 sizes its heap for gigabytes and collects lazily, so RSS climbs
   * for minutes with nothing leaking (measured here: 166 to 345 MB in 20 s uncapped; flat at 185-198 MB
   * for 40 s with a 128 MB cap, the same load). With the cap, garbage is collected in time, so growth
   * that remains is memory really kept; a leak climbs to the cap and kills the server, which fails the
   * soak as well. Default: the limit of `npm run start:built` (128).
   */
  heapLimitMb?: number;
  /** Called with a line now and then while the clients run. */
  progress?: (line: string) => void;
}

export interface SoakResult {
  options: SoakOptions;
  dialect: "sqlite" | "postgres";
  startMs: number;
  durationMs: number;
  stats: Stats;
  memory: MemoryVerdict;
  final: FinalState;
  serverExitCode: number | null;
  /** Every invariant that failed, one line each: empty when the soak passed. */
  failures: string[];
  serverOutput: string;
  ok: boolean;
}

const ISSUER = "urn:workspace-admin:soak";
/** The heap limit production runs the server with (`npm run start:built`, see cli/build.ts). */
export const DEFAULT_HEAP_LIMIT_MB = productionHeapLimitMb() ?? 128;

/** People with names and addresses that exercise search: accents, other alphabets, `%` and `_`. */
const PEOPLE: [name: string, local: string][] = [
  ["Ada Lovelace", "ada.lovelace"],
  ["Åsa Ström", "asa.strom"],
  ["Анна Иванова", "anna.ivanova"],
  ["José García", "jose.garcia"],
  ["Zoë Müller", "zoe.mueller"],
  ["Grace Hopper", "grace_hopper"],
  ["Percy 100% Real", "percy.real"],
  ["Δήμητρα Παππά", "dimitra.pappa"],
  ["Jürgen Straßer", "juergen.strasser"],
  ["Mary O'Neil", "mary.oneil"],
  ["李 小龙", "li.xiaolong"],
  ["Ngozi Okafor", "ngozi.okafor"],
];

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = performance.now();
  const server = await startSoakServer(
    { DATA_DIR: options.dataDir, DATABASE_URL: options.databaseUrl, DEV_TOKEN_ISSUER: ISSUER },
    { heapLimitMb: options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB },
  );
  const startMs = performance.now() - started;
  let serverExitCode: number | null | undefined;
  try {
    const organizationId = `org_soak_${randomBytes(4).toString("hex")}`;
    const key = await loadOrCreateDevKey(join(options.dataDir, "dev-jwt-key.json"));
    const tokenFor = (person: { userId: string; email: string; name: string }) =>
      signDevToken(key, {
        issuer: ISSUER,
        organizationId,
        ...person,
        expiresInSeconds: options.seconds + 3600,
      });

    // The people: each one's first call creates their profile (the first one's, the account too).
    const people = [
      ...Array.from({ length: options.clients }, (_, i) => ({
        userId: `user_soak_client_${i}`,
        email: `soak.client.${i}@soak.example`,
        name: `Soak Client ${i}`,
      })),
      ...Array.from({ length: options.people ?? 24 }, (_, i) => {
        const [name, local] = PEOPLE[i % PEOPLE.length]!;
        return { userId: `user_soak_person_${i}`, email: `${local}.${i}@soak.example`, name: `${name} ${i}` };
      }),
    ];
    const model = new SoakModel();
    const tokens = await Promise.all(people.map(tokenFor));
    const firstCall = async (i: number) => {
      const api = new Api(server.url, tokens[i]!, undefined);
      const answer = await api.call("profiles.search", { email: people[i]!.email }, { protocol: "rest", requestId: `soak-setup-${i}` });
      const page = expectSuccess<ProfilePage>(answer);
      expectEqual(
        page.data.map((p) => [p.email, p.name]),
        [[people[i]!.email, people[i]!.name]],
        `${answer.request}: the first call's own profile`,
      );
      model.pool.add(page.data[0]!);
      return page.data[0]!.id;
    };
    const profileIds = [await firstCall(0)];
    for (let i = 1; i < people.length; i += 8) {
      profileIds.push(...(await Promise.all(Array.from({ length: Math.min(8, people.length - i) }, (_, j) => firstCall(i + j)))));
    }

    const stats = new Stats();
    const clients = Array.from({ length: options.clients }, (_, i) => {
      const clientModel = new ClientModel(profileIds[i]!);
      model.clients.push(clientModel);
      return new SoakClient(i, new Api(server.url, tokens[i]!, stats), clientModel, model, stats, new Random(options.seed + i * 7919));
    });

    const sampler = new RssSampler(server.pid);
    sampler.start();
    const loadStarted = performance.now();
    const progress = setInterval(() => {
      const seconds = (performance.now() - loadStarted) / 1000;
      const requests = stats.requests();
      const rss = sampler.latest();
      const running = clients.filter((c) => c.failure === undefined).length;
      options.progress?.(
        `${seconds.toFixed(0).padStart(5)} s: ${requests} requests (${(requests / seconds).toFixed(0)}/s), ` +
          `server RSS ${rss === undefined ? "?" : (rss / 1024 / 1024).toFixed(0)} MB, ${running}/${clients.length} clients running`,
      );
    }, 5_000);
    const deadline = Date.now() + options.seconds * 1000;
    try {
      await Promise.all(clients.map((client) => client.run(deadline)));
    } finally {
      clearInterval(progress);
    }
    const durationMs = performance.now() - loadStarted;
    const memory = judgeMemory(sampler.stop());

    const db = await openDirectDatabase(options.databaseUrl);
    let final: FinalState;
    try {
      final = await verifyFinalState(new Api(server.url, tokens[0]!, undefined), model, db, organizationId);
    } finally {
      await db.close();
    }
    serverExitCode = await server.stop();

    const failures = [
      ...clients.flatMap((c) => (c.failure === undefined ? [] : [c.failure])),
      ...stats.serverErrors.map((line) => `5xx: ${line}`),
      ...(stats.networkErrors > 0 ? [`${stats.networkErrors} requests failed without an answer`] : []),
      ...final.failures,
      ...(memory.ok ? [] : [`memory kept growing: last third peaked at ${memory.lastMaxMb.toFixed(1)} MB, middle third at ${memory.middleMaxMb.toFixed(1)} MB (allowed +${memory.allowedGrowthMb.toFixed(1)} MB)`]),
      ...(serverExitCode === 0 ? [] : [`the server exited with ${serverExitCode} on SIGTERM`]),
    ];
    return {
      options,
      dialect: options.databaseUrl.startsWith("sqlite:") ? "sqlite" : "postgres",
      startMs,
      durationMs,
      stats,
      memory,
      final,
      serverExitCode,
      failures,
      serverOutput: server.output(),
      ok: failures.length === 0,
    };
  } finally {
    if (serverExitCode === undefined) await server.stop();
  }
}
