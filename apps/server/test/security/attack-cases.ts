import { randomUUID } from "node:crypto";
import { type EndpointName, endpoints, PROFILE_QUERY_MAX, EMAIL_MAX, WORKSPACE_DESCRIPTION_MAX, WORKSPACE_NAME_MAX } from "@workspace-admin/contracts";
import { expect } from "vitest";
import {
  type ApiResponse,
  createAccount,
  createProfile,
  createWorkspace,
  MISSING_PROFILE_ID,
  MISSING_WORKSPACE_ID,
  RestClient,
  type TestAccount,
  type TestDatabase,
  type TestServer,
} from "../support/index.ts";

export type Input = Record<string, unknown>;
export type Protocol = "rest" | "trpc";
export const protocols: Protocol[] = ["rest", "trpc"];

const unique = () => randomUUID().slice(0, 8);

// ---------------------------------------------------------------------------------------------------
// The world every attack runs in: the attacker's own account ("mine") and a victim ("theirs").

export interface AccountObjects {
  account: TestAccount;
  workspaceId: string;
  /** A profile that is a member of `workspaceId`. */
  memberProfileId: string;
  memberEmail: string;
  memberName: string;
  /** A profile of the account that is a member of nothing. */
  spareProfileId: string;
}

export interface World {
  server: TestServer;
  mine: AccountObjects;
  theirs: AccountObjects;
}

async function populate(server: TestServer, account: TestAccount, label: string): Promise<AccountObjects> {
  const workspace = await createWorkspace(account, `${label} workspace ${unique()}`, `${label} description`);
  const memberEmail = `${label.toLowerCase()}.member.${unique()}@example.test`;
  const memberName = `${label} Member ${unique()}`;
  const memberProfileId = await createProfile(server, account, { email: memberEmail, name: memberName });
  const added = await account.api.post(`/v1/account/workspaces/${workspace.id}/members`, { profileId: memberProfileId });
  if (added.status !== 201) throw new Error(`member setup failed: ${added.status}`);
  const spareProfileId = await createProfile(server, account, { name: `${label} Spare ${unique()}` });
  return { account, workspaceId: workspace.id, memberProfileId, memberEmail, memberName, spareProfileId };
}

export async function buildWorld(server: TestServer): Promise<World> {
  const [mine, theirs] = await Promise.all([createAccount(server), createAccount(server)]);
  return { server, mine: await populate(server, mine, "Mine"), theirs: await populate(server, theirs, "Theirs") };
}

// ---------------------------------------------------------------------------------------------------
// Calling one procedure over REST (its route in the contract table) or over the native tRPC endpoint.

export interface CallOptions {
  /** The bearer token; `null` sends no Authorization header. */
  token: string | null;
  /** More query parameters (REST: beside the input's own; tRPC: beside `input`). */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Sent instead of the JSON body (REST POST/PATCH/DELETE, tRPC mutations); give its content-type in `headers`. */
  rawBody?: string;
}

const isRead = (name: EndpointName) => endpoints[name].method === "GET";

/** The REST request of a procedure call: path parameters in the path, the rest in the query (GET, DELETE) or the body. */
export function restRequest(name: EndpointName, input: Input): { method: string; path: string; query: Record<string, string>; body?: Input } {
  const { method, path } = endpoints[name];
  const rest: Input = { ...input };
  const filled = path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = rest[key];
    delete rest[key];
    return encodeURIComponent(String(value));
  });
  if (method === "GET" || method === "DELETE") {
    const query = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, String(value)]));
    return { method, path: filled, query };
  }
  return { method, path: filled, query: {}, body: rest };
}

export async function callRest(baseUrl: string, name: EndpointName, input: Input, options: CallOptions): Promise<ApiResponse> {
  const request = restRequest(name, input);
  const client = new RestClient(baseUrl, options.token);
  return client.request(request.method, request.path, {
    query: { ...request.query, ...options.query },
    headers: options.headers,
    ...(options.rawBody !== undefined ? { rawBody: options.rawBody } : request.body !== undefined ? { body: request.body } : {}),
  });
}

export async function callTrpc(baseUrl: string, name: EndpointName, input: Input, options: CallOptions): Promise<ApiResponse> {
  const client = new RestClient(baseUrl, options.token);
  if (isRead(name)) {
    return client.get(`/trpc/${name}`, { query: { input: JSON.stringify(input), ...options.query }, headers: options.headers });
  }
  return client.request("POST", `/trpc/${name}`, {
    query: options.query,
    headers: options.headers,
    ...(options.rawBody !== undefined ? { rawBody: options.rawBody } : { body: input }),
  });
}

export function call(protocol: Protocol, baseUrl: string, name: EndpointName, input: Input, options: CallOptions) {
  return protocol === "rest" ? callRest(baseUrl, name, input, options) : callTrpc(baseUrl, name, input, options);
}

/** The status a successful call answers: the contract's over REST, always 200 over tRPC. */
export const successStatus = (protocol: Protocol, name: EndpointName) => (protocol === "rest" ? endpoints[name].successStatus : 200);

/** The data of a successful answer: the body over REST, `result.data` over tRPC. */
export const dataOf = (protocol: Protocol, response: ApiResponse): unknown => (protocol === "rest" ? response.body : response.body?.result?.data);

// ---------------------------------------------------------------------------------------------------
// What every error answer must look like.

/** Things an error body must never contain: stack frames, file paths, SQL, driver or ORM names. */
const LEAKS: RegExp[] = [
  /"stack"/,
  /\bat \S+ \(/,
  /\.(ts|js|mjs|cjs):\d+/,
  /node_modules/,
  /(^|[\s"'])\/(work|home|tmp|usr|var|opt|app)\//,
  /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|ALTER TABLE)\b/,
  /sqlite|postgres|QueryFailedError|typeorm|better-sqlite3|no such table|relation "/i,
];

export function leaksIn(body: unknown): string[] {
  const text = typeof body === "string" ? body : JSON.stringify(body ?? "");
  return LEAKS.filter((pattern) => pattern.test(text)).map(String);
}

/** The error code of an answer, in either shape: REST `{ code }`, tRPC `{ error: { data: { code } } }` (or a batch of these). */
export function errorCodeOf(response: ApiResponse): string | undefined {
  const body = Array.isArray(response.body) ? response.body[0] : response.body;
  return body?.error?.data?.code ?? body?.code;
}

/** Headers every answer of the API carries, success or error, REST or tRPC, fast path or express. */
export function expectDefensiveHeaders(response: ApiResponse, label: string): void {
  expect(response.headers.get("x-powered-by"), `${label}: X-Powered-By`).toBeNull();
  expect(response.headers.get("x-content-type-options"), `${label}: X-Content-Type-Options`).toBe("nosniff");
  expect(response.headers.get("cache-control"), `${label}: Cache-Control`).toBe("no-store");
}

/**
 * An error answer: the status, the code (in the shape of the protocol it came from), JSON, the
 * defensive headers, and nothing about the server's insides.
 */
export function expectError(response: ApiResponse, protocol: Protocol, status: number, code: string | undefined, label: string): void {
  expect(response.status, `${label}: status (body ${JSON.stringify(response.body)?.slice(0, 300)})`).toBe(status);
  if (code !== undefined) {
    const body = Array.isArray(response.body) ? response.body[0] : response.body;
    if (protocol === "trpc") expect(body?.error?.data?.code, `${label}: tRPC error shape`).toBe(code);
    else expect(body?.code, `${label}: REST error shape`).toBe(code);
  }
  expect(response.headers.get("content-type"), `${label}: content-type`).toMatch(/^application\/json/);
  expect(leaksIn(response.body), `${label}: leaks in ${JSON.stringify(response.body)}`).toEqual([]);
  expectDefensiveHeaders(response, label);
}

// ---------------------------------------------------------------------------------------------------
// The answer carries only documented fields.

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  valueType?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
  out?: { _zod: { def: SchemaDef } };
}

/**
 * Paths of `value` that the output schema does not document (keys outside an object's shape, at any
 * depth: page items, audit changes), plus `visited`: how many objects were checked.
 */
export function undocumentedFields(schema: { _zod: { def: unknown } }, value: unknown, path = "$"): { extra: string[]; visited: number } {
  const def = schema._zod.def as SchemaDef;
  const result = { extra: [] as string[], visited: 0 };
  const merge = (other: { extra: string[]; visited: number }) => {
    result.extra.push(...other.extra);
    result.visited += other.visited;
  };
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "readonly":
      if (value !== undefined && value !== null) merge(undocumentedFields(def.innerType!, value, path));
      break;
    case "pipe":
      merge(undocumentedFields(def.out!, value, path));
      break;
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        result.extra.push(`${path} (not an object)`);
        break;
      }
      result.visited++;
      for (const [key, item] of Object.entries(value)) {
        const field = def.shape![key];
        if (!field) result.extra.push(`${path}.${key}`);
        else merge(undocumentedFields(field, item, `${path}.${key}`));
      }
      break;
    }
    case "array":
      if (Array.isArray(value)) value.forEach((item, index) => merge(undocumentedFields(def.element!, item, `${path}[${index}]`)));
      break;
    case "record":
      if (typeof value === "object" && value !== null) {
        for (const [key, item] of Object.entries(value)) merge(undocumentedFields(def.valueType!, item, `${path}.${key}`));
      }
      break;
    default:
      break;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// The database, whole: two snapshots are equal exactly when nothing was written anywhere.

const tablesOf = new WeakMap<TestDatabase, Promise<string[]>>();

function tables(database: TestDatabase): Promise<string[]> {
  let list = tablesOf.get(database);
  if (!list) {
    list =
      database.dialect === "postgres"
        ? database
            .query<{ name: string }>(
              "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
            )
            .then((rows) => rows.map((row) => row.name))
        : database
            .query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
            .then((rows) => rows.map((row) => row.name));
    tablesOf.set(database, list);
  }
  return list;
}

/** Every row of every table (sorted, so that the order rows come back in does not matter). */
export async function snapshotDatabase(database: TestDatabase): Promise<Record<string, string[]>> {
  const names = await tables(database);
  if (!names.includes("workspaces")) throw new Error(`no workspaces table among ${names.join(", ")}`);
  const sorted = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).sort();
  if (database.dialect === "postgres") {
    const [row] = await database.query<{ snapshot: Record<string, unknown[] | null> }>(
      `SELECT json_build_object(${names.map((name) => `'${name}', (SELECT json_agg(t) FROM "${name}" t)`).join(", ")}) AS snapshot`,
    );
    return Object.fromEntries(names.map((name) => [name, sorted(row!.snapshot[name] ?? [])]));
  }
  const snapshot: Record<string, string[]> = {};
  for (const name of names) snapshot[name] = sorted(await database.query(`SELECT * FROM "${name}"`));
  return snapshot;
}

// ---------------------------------------------------------------------------------------------------
// The cases: for every procedure, the inputs each attack needs.

export interface ForeignProbe {
  label: string;
  /** An input naming another account's objects. */
  foreign: Input;
  /** The same input with ids that exist nowhere: the foreign one must be answered exactly like it. */
  missing: Input;
  /** 404 for an object the route acts on; 200 (an empty page) for a list filter, which must match nothing. */
  status: 404 | 200;
}

export interface Case {
  /** A well-formed input naming the caller's own objects (used where the call must be refused before it runs). */
  sample(w: World): Input;
  /** An input that succeeds now, for the attacker's own account; prepares what it needs (a workspace to archive...). */
  fresh(w: World): Promise<Input>;
  /** Takes `limit` and `cursor`, answers a page. */
  list: boolean;
  /** Inputs naming the victim's objects; null when the procedure takes no id. */
  foreign: ((w: World) => ForeignProbe[]) | null;
  /** Otherwise valid inputs with one string over its limit. */
  oversized(w: World): { label: string; input: Input }[];
}

const LONG_WORKSPACE_ID = `ws_${"0".repeat(1000)}`;
const LONG_PROFILE_ID = `prof_${"0".repeat(1000)}`;
const LONG_CURSOR = "c".repeat(513);
const TOO_LONG_NAME = "n".repeat(WORKSPACE_NAME_MAX + 1);
const TOO_LONG_DESCRIPTION = "d".repeat(WORKSPACE_DESCRIPTION_MAX + 1);

/** A workspace of the attacker's own, to archive. */
async function freshWorkspace(w: World): Promise<string> {
  return (await createWorkspace(w.mine.account, `Fresh ${unique()}`)).id;
}

async function freshMember(w: World): Promise<{ workspaceId: string; profileId: string }> {
  const profileId = await createProfile(w.server, w.mine.account, { name: `Fresh member ${unique()}` });
  const added = await w.mine.account.api.post(`/v1/account/workspaces/${w.mine.workspaceId}/members`, { profileId });
  if (added.status !== 201) throw new Error(`add member failed: ${added.status}`);
  return { workspaceId: w.mine.workspaceId, profileId };
}

/** Member routes take a workspace and a profile: each pairing of foreign and own ids must be a 404. */
function memberProbes(w: World, ownProfileId: string): ForeignProbe[] {
  return [
    {
      label: "their workspace and their member",
      foreign: { workspaceId: w.theirs.workspaceId, profileId: w.theirs.memberProfileId },
      missing: { workspaceId: MISSING_WORKSPACE_ID, profileId: MISSING_PROFILE_ID },
      status: 404,
    },
    {
      label: "my workspace and their profile",
      foreign: { workspaceId: w.mine.workspaceId, profileId: w.theirs.memberProfileId },
      missing: { workspaceId: w.mine.workspaceId, profileId: MISSING_PROFILE_ID },
      status: 404,
    },
    {
      label: "their workspace and my profile",
      foreign: { workspaceId: w.theirs.workspaceId, profileId: ownProfileId },
      missing: { workspaceId: MISSING_WORKSPACE_ID, profileId: ownProfileId },
      status: 404,
    },
  ];
}

const workspaceProbe = (w: World, extra: Input = {}): ForeignProbe[] => [
  {
    label: "their workspace",
    foreign: { workspaceId: w.theirs.workspaceId, ...extra },
    missing: { workspaceId: MISSING_WORKSPACE_ID, ...extra },
    status: 404,
  },
];

const idOversized = (input: Input): { label: string; input: Input }[] =>
  Object.keys(input)
    .filter((key) => key === "workspaceId" || key === "profileId" || key === "actorProfileId")
    .map((key) => ({ label: `${key} of 1000+ characters`, input: { ...input, [key]: key === "workspaceId" ? LONG_WORKSPACE_ID : LONG_PROFILE_ID } }));

const cursorOversized = (input: Input) => [{ label: "cursor of 513 characters", input: { ...input, cursor: LONG_CURSOR } }];

export const cases = {
  "workspaces.list": {
    sample: () => ({ limit: 5 }),
    fresh: async () => ({ limit: 5, includeArchived: "true" }),
    list: true,
    foreign: null,
    oversized: () => cursorOversized({ limit: 5 }),
  },
  "workspaces.create": {
    sample: () => ({ name: "Sample workspace" }),
    fresh: async () => ({ name: `Created ${unique()}`, description: "by the attack suite" }),
    list: false,
    foreign: null,
    oversized: () => [
      { label: `name of ${WORKSPACE_NAME_MAX + 1} characters`, input: { name: TOO_LONG_NAME } },
      { label: `description of ${WORKSPACE_DESCRIPTION_MAX + 1} characters`, input: { name: `Long ${unique()}`, description: TOO_LONG_DESCRIPTION } },
    ],
  },
  "workspaces.get": {
    sample: (w) => ({ workspaceId: w.mine.workspaceId }),
    fresh: async (w) => ({ workspaceId: w.mine.workspaceId }),
    list: false,
    foreign: (w) => workspaceProbe(w),
    oversized: (w) => idOversized({ workspaceId: w.mine.workspaceId }),
  },
  "workspaces.update": {
    sample: (w) => ({ workspaceId: w.mine.workspaceId, name: "Renamed" }),
    fresh: async (w) => ({ workspaceId: w.mine.workspaceId, description: `Updated ${unique()}` }),
    list: false,
    foreign: (w) => workspaceProbe(w, { name: "Hijacked" }),
    oversized: (w) => [
      { label: `name of ${WORKSPACE_NAME_MAX + 1} characters`, input: { workspaceId: w.mine.workspaceId, name: TOO_LONG_NAME } },
      {
        label: `description of ${WORKSPACE_DESCRIPTION_MAX + 1} characters`,
        input: { workspaceId: w.mine.workspaceId, description: TOO_LONG_DESCRIPTION },
      },
      ...idOversized({ workspaceId: w.mine.workspaceId, name: "Fine" }),
    ],
  },
  "workspaces.archive": {
    sample: (w) => ({ workspaceId: w.mine.workspaceId }),
    fresh: async (w) => ({ workspaceId: await freshWorkspace(w) }),
    list: false,
    foreign: (w) => workspaceProbe(w),
    oversized: (w) => idOversized({ workspaceId: w.mine.workspaceId }),
  },
  "members.list": {
    sample: (w) => ({ workspaceId: w.mine.workspaceId }),
    fresh: async (w) => ({ workspaceId: w.mine.workspaceId, limit: 5 }),
    list: true,
    foreign: (w) => workspaceProbe(w),
    oversized: (w) => [...idOversized({ workspaceId: w.mine.workspaceId }), ...cursorOversized({ workspaceId: w.mine.workspaceId })],
  },
  "members.add": {
    sample: (w) => ({ workspaceId: w.mine.workspaceId, profileId: w.mine.spareProfileId }),
    fresh: async (w) => ({
      workspaceId: w.mine.workspaceId,
      profileId: await createProfile(w.server, w.mine.account, { name: `Added ${unique()}` }),
    }),
    list: false,
    foreign: (w) => memberProbes(w, w.mine.spareProfileId),
    oversized: (w) => idOversized({ workspaceId: w.mine.workspaceId, profileId: w.mine.spareProfileId }),
  },
  "members.get": {
    sample: (w) => ({ workspaceId: w.mine.workspaceId, profileId: w.mine.memberProfileId }),
    fresh: async (w) => ({ workspaceId: w.mine.workspaceId, profileId: w.mine.memberProfileId }),
    list: false,
    foreign: (w) => memberProbes(w, w.mine.memberProfileId),
    oversized: (w) => idOversized({ workspaceId: w.mine.workspaceId, profileId: w.mine.memberProfileId }),
  },
  "members.remove": {
    sample: (w) => ({ workspaceId: w.mine.workspaceId, profileId: w.mine.memberProfileId }),
    fresh: (w) => freshMember(w),
    list: false,
    foreign: (w) => memberProbes(w, w.mine.memberProfileId),
    oversized: (w) => idOversized({ workspaceId: w.mine.workspaceId, profileId: w.mine.memberProfileId }),
  },
  "profiles.search": {
    sample: () => ({ query: "member" }),
    fresh: async () => ({ limit: 5 }),
    list: true,
    foreign: (w) => [
      { label: "their member's email", foreign: { email: w.theirs.memberEmail }, missing: { email: `nobody.${unique()}@nowhere.test` }, status: 200 },
      { label: "their member's name", foreign: { query: w.theirs.memberName }, missing: { query: `Nobody ${unique()}` }, status: 200 },
    ],
    oversized: () => [
      { label: `query of ${PROFILE_QUERY_MAX + 1} characters`, input: { query: "q".repeat(PROFILE_QUERY_MAX + 1) } },
      { label: `email of ${EMAIL_MAX + 1} characters`, input: { email: `${"e".repeat(EMAIL_MAX - 12)}@example.test` } },
      ...cursorOversized({}),
    ],
  },
  "audit.list": {
    sample: () => ({ limit: 5 }),
    fresh: async () => ({ limit: 5 }),
    list: true,
    foreign: (w) => [
      {
        label: "their workspace as a filter",
        foreign: { workspaceId: w.theirs.workspaceId },
        missing: { workspaceId: MISSING_WORKSPACE_ID },
        status: 200,
      },
      {
        label: "their admin as a filter",
        foreign: { actorProfileId: w.theirs.account.adminProfileId },
        missing: { actorProfileId: MISSING_PROFILE_ID },
        status: 200,
      },
    ],
    oversized: (w) => [
      ...idOversized({ workspaceId: w.mine.workspaceId, actorProfileId: w.mine.account.adminProfileId }),
      ...cursorOversized({}),
    ],
  },
} satisfies Record<EndpointName, Case>;

export const writeNames = (Object.keys(cases) as EndpointName[]).filter((name) => !isRead(name));
export const listNames = (Object.keys(cases) as EndpointName[]).filter((name) => cases[name].list);
