import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { findProfilesBySubstring } from "../db/profile-search-sqlite.ts";
import { foldCase } from "../db/text-keys.ts";
import { BENCH_DB_FILE, type DatasetManifest, MANIFEST_FILE } from "./dataset.ts";

/**
 * The floor: a bare `node:http` handler running the same SQL as the services, as better-sqlite3
 * prepared statements on the same file, and writing the same JSON shapes. No auth, no validation, no
 * framework: what the hardware and SQLite give. Same paths as the REST API.
 */
const manifest = JSON.parse(readFileSync(MANIFEST_FILE, "utf8")) as DatasetManifest;
const accountId = manifest.accountId;
const db = new BetterSqlite3(BENCH_DB_FILE);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("foreign_keys = ON");

interface WorkspaceRow {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

const workspaceById = db.prepare("SELECT * FROM workspaces WHERE id = ? AND account_id = ?");
const workspacesPage = db.prepare(
  "SELECT * FROM workspaces WHERE account_id = ? AND archived_at IS NULL ORDER BY id LIMIT ?",
);
const membersPage = db.prepare(`SELECT m.id AS id, m.profile_id AS profileId, m.added_at AS addedAt, p.email AS email,
  p.name AS name FROM workspace_members m INNER JOIN profiles p ON p.id = m.profile_id
  WHERE m.workspace_id = ? AND m.removed_at IS NULL AND m.id > ? ORDER BY m.id LIMIT ?`);
const profileById = db.prepare("SELECT * FROM profiles WHERE id = ? AND account_id = ?");
const insertMember = db.prepare(`INSERT INTO workspace_members (id, account_id, workspace_id, profile_id, added_at,
  removed_at) VALUES (?, ?, ?, ?, ?, NULL)`);
const statements = new Map<string, BetterSqlite3.Statement>();
const run = (sql: string, params: unknown[]) => {
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = db.prepare(sql)));
  return statement.all(...params);
};

const workspace = (row: WorkspaceRow) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  archivedAt: row.archived_at,
});
const page = <T extends { id: string }>(rows: T[], limit: number, shape: (row: T) => unknown) => {
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  const last = data.at(-1);
  return {
    data: data.map(shape),
    hasMore,
    nextCursor: hasMore && last ? Buffer.from(`v1:${last.id}`).toString("base64url") : null,
  };
};
const cursorId = (cursor: string | null) => (cursor ? Buffer.from(cursor, "base64url").toString().slice(3) : "");

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

let ulidCounter = 0;
async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://floor");
  const parts = url.pathname.split("/").filter(Boolean); // v1 account workspaces {id} members
  const limit = Number(url.searchParams.get("limit") ?? 20);
  if (parts[2] === "workspaces" && parts.length === 3) {
    return send(res, 200, page(workspacesPage.all(accountId, limit + 1) as WorkspaceRow[], limit, workspace));
  }
  if (parts[2] === "workspaces" && parts.length === 4) {
    const row = workspaceById.get(parts[3], accountId) as WorkspaceRow | undefined;
    return row ? send(res, 200, workspace(row)) : send(res, 404, { message: "Workspace not found" });
  }
  if (parts[2] === "workspaces" && parts[4] === "members" && req.method === "GET") {
    if (!workspaceById.get(parts[3], accountId)) return send(res, 404, { message: "Workspace not found" });
    const rows = membersPage.all(parts[3], cursorId(url.searchParams.get("cursor")), limit + 1) as {
      id: string;
      profileId: string;
      addedAt: string;
      email: string;
      name: string;
    }[];
    return send(res, 200, page(rows, limit, (m) => ({ actorId: m.id, profileId: m.profileId, addedAt: m.addedAt, email: m.email, name: m.name })));
  }
  if (parts[2] === "workspaces" && parts[4] === "members" && req.method === "POST") {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { profileId } = JSON.parse(Buffer.concat(chunks).toString()) as { profileId: string };
    const added = db.transaction(() => {
      if (!workspaceById.get(parts[3], accountId)) return null;
      const profile = profileById.get(profileId, accountId) as { id: string; email: string; name: string } | undefined;
      if (!profile) return null;
      // An id of the same shape as the service's (prefix and 26 characters); uniqueness is all the floor needs.
      const actorId = `act_${Date.now().toString(32).toUpperCase().padStart(10, "0")}${String(ulidCounter++).padStart(16, "0")}`;
      const addedAt = new Date().toISOString();
      insertMember.run(actorId, accountId, parts[3], profile.id, addedAt);
      return { actorId, profileId: profile.id, addedAt, email: profile.email, name: profile.name };
    }).immediate();
    return added ? send(res, 201, added) : send(res, 404, { message: "Not found" });
  }
  if (parts[2] === "profiles") {
    const query = url.searchParams.get("query") ?? "";
    const after = cursorId(url.searchParams.get("cursor")) || undefined;
    const rows = (await findProfilesBySubstring((sql, params) => run(sql, params), {
      accountId,
      term: foldCase(query),
      after,
      rows: limit + 1,
    })) as { id: string; email: string; name: string; createdAt: string; updatedAt: string }[];
    return send(res, 200, page(rows, limit, (p) => ({ id: p.id, email: p.email || null, name: p.name || null, createdAt: p.createdAt, updatedAt: p.updatedAt })));
  }
  if (parts[0] === "readyz") return send(res, 200, { status: "ready" });
  send(res, 404, { message: "No such route" });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
});
server.keepAliveTimeout = 5_000;
server.listen(Number(process.env.BENCH_PORT ?? 0), "127.0.0.1", () => {
  process.send?.({ listening: (server.address() as { port: number }).port });
});
