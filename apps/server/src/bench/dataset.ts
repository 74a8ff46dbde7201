import { resolve } from "node:path";

/** Where the bench keeps its database, dev key and the manifest of what the data generator made. */
export const BENCH_DIR = resolve(import.meta.dirname, "../../.bench");
export const BENCH_DB_FILE = resolve(BENCH_DIR, "workspace-admin.sqlite");
export const MANIFEST_FILE = resolve(BENCH_DIR, "dataset.json");

export const BENCH_ORG = "org_bench";
export const BENCH_ADMIN = { userId: "user_bench_admin", email: "admin@bench.example", name: "Bench Admin" };

/** What the generator wrote: the ids the benchmark scenarios address. */
export interface DatasetManifest {
  profiles: number;
  workspaces: number;
  members: number;
  accountId: string;
  /** The workspace with `members` members. */
  bigWorkspaceId: string;
  /** Empty workspaces that the add-member scenarios fill, one per server under test. */
  emptyWorkspaceIds: string[];
  /** Profile ids in creation order, sampled: adds walk through them. */
  firstProfileId: string;
  /** The id of the member before page 1,000 (limit 20) of the big workspace: its cursor. */
  memberBeforePage1000: string;
  generatedInMs: number;
}
