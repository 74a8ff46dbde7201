import type {
  AuditEvent,
  AuditEventPage,
  EndpointName,
  Profile,
  Workspace,
  WorkspaceMember,
} from "@workspace-admin/contracts";
import { type Answer, type Api, NetworkError, type Protocol, type Stats } from "./api.ts";
import { expectEqual, expectError, expectETag, expectSameAnswer, expectSuccess, expectTrue, Mismatch } from "./checks.ts";
import { type ClientModel, type ExpectedAuditEvent, type OwnedWorkspace, type SoakModel, compareIds, fold } from "./model.ts";
import type { Random } from "./random.ts";

/**
 * One client of the soak: an admin of the account who creates workspaces of its own and then does
 * everything the API offers with them, one request at a time, as fast as the server answers. Each
 * answer is checked against the model (status, body, ETag, and for writes the model is updated); the
 * first answer that differs stops this client and is reported.
 *
 * Mixed in: tRPC besides REST, `Idempotency-Key` retries (after the answer, and two at once), key reuse
 * for another request, `If-Match` (current, `*`, stale, weak, malformed), invalid input, unknown ids,
 * archived workspaces, name clashes (also across case and alphabets), paging with varied limits.
 */

/** Share of requests sent over tRPC rather than REST. */
const TRPC_SHARE = 0.3;
/** Share of writes sent with an Idempotency-Key. */
const IDEMPOTENT_SHARE = 0.25;
/** Share of requests sent with invalid input (each operation its own kind). */
const INVALID_SHARE = 0.04;
/** Beyond this many workspaces in the account, the list with archived ones is not walked (it only grows). */
const ARCHIVED_WALK_LIMIT = 600;

/** Names with letters whose case folds beyond ASCII: `Straße` = `STRASSE`, `Ström` = `STRÖM`, `Отдел` = `ОТДЕЛ`. */
const WORDS = ["Research", "Ops", "Straße", "Ström", "Отдел", "Δέλτα", "Garden", "Atlas", "Zoë", "Kernel", "Ledger", "Harbor"];

type Operation =
  | "create"
  | "get"
  | "update"
  | "archive"
  | "list"
  | "memberAdd"
  | "memberGet"
  | "memberRemove"
  | "memberList"
  | "search"
  | "audit";

export class SoakClient {
  readonly label: string;
  /** Every workspace name of this client starts with it, so no other client's name can clash. */
  readonly prefix: string;
  /** Why this client stopped early, if it did. */
  failure: string | undefined;
  private seq = 0;

  constructor(
    index: number,
    private readonly api: Api,
    readonly model: ClientModel,
    private readonly shared: SoakModel,
    private readonly stats: Stats,
    private readonly random: Random,
  ) {
    this.label = `c${String(index).padStart(2, "0")}`;
    this.prefix = `C${String(index).padStart(2, "0")}`;
  }

  async run(deadline: number): Promise<void> {
    while (Date.now() < deadline && this.failure === undefined) {
      const operation = this.pickOperation();
      try {
        await this[operation]();
      } catch (error) {
        this.failure =
          error instanceof Mismatch || error instanceof NetworkError
            ? `${this.label} ${operation}: ${error.message}`
            : `${this.label} ${operation}: ${(error as Error).stack ?? String(error)}`;
      }
    }
  }

  /** The mix. The weights of create and archive keep each client at about 3-10 active workspaces. */
  private pickOperation(): Operation {
    const active = this.model.active().length;
    return this.random.weighted<Operation>([
      ["create", active < 3 ? 60 : active >= 10 ? 1 : 6],
      ["archive", active <= 3 ? 0 : active >= 10 ? 8 : 3],
      ["get", 9],
      ["update", 12],
      ["list", 3],
      ["memberAdd", 14],
      ["memberGet", 7],
      ["memberRemove", 9],
      ["memberList", 7],
      ["search", 7],
      ["audit", 5],
    ]);
  }

  // Workspaces ----------------------------------------------------------------------------------------

  private async create(): Promise<void> {
    if (this.random.chance(INVALID_SHARE)) {
      const input = this.random.pick<Record<string, unknown>>([
        { name: "   " },
        { name: "x".repeat(256) },
        { name: this.newName(), ownerId: "someone" },
        { description: "no name" },
        { name: this.newName(), description: "d".repeat(2001) },
      ]);
      expectError((await this.write("workspaces.create", input)).answer, "BAD_REQUEST");
      return;
    }
    const active = this.model.active();
    const archived = this.model.archived();
    let name: string;
    const r = this.random.next();
    if (r < 0.08 && active.length > 0) name = swapCase(this.random.pick(active).workspace.name); // taken
    else if (r < 0.12 && archived.length > 0) name = this.random.pick(archived).workspace.name; // free again, unless reused
    else name = this.newName();
    if (this.random.chance(0.1)) name = `  ${name} `;
    const description = this.description(undefined);
    const input: Record<string, unknown> = { name };
    if (description !== undefined) input.description = description;

    const { answer, requestId } = await this.write("workspaces.create", input);
    if (this.model.nameHolder(name)) {
      expectError(answer, "CONFLICT");
      return;
    }
    const got = expectSuccess<Workspace>(answer);
    expectEqual(
      got,
      {
        id: got.id,
        name: name.trim(),
        description: description ?? null,
        createdAt: got.createdAt,
        updatedAt: got.createdAt,
        archivedAt: null,
        version: 1,
      },
      `${answer.request}: created workspace`,
    );
    expectTrue(this.shared.owned(got.id) === undefined, `${answer.request}: an id given twice: ${got.id}`);
    expectETag(answer, got);
    this.model.created(got, requestId);
  }

  private async get(): Promise<void> {
    const r = this.random.next();
    if (r < 0.06) {
      expectError(await this.read("workspaces.get", { workspaceId: this.random.missingId("ws") }), "NOT_FOUND");
      return;
    }
    if (r < 0.06 + INVALID_SHARE) {
      expectError(await this.read("workspaces.get", { workspaceId: "ws_not-an-id" }), "BAD_REQUEST");
      return;
    }
    const target = this.pickWorkspace(0.7);
    if (!target) return this.create();
    const answer = await this.read("workspaces.get", { workspaceId: target.workspace.id });
    expectEqual(expectSuccess<Workspace>(answer), target.workspace, `${answer.request}: workspace`);
    expectETag(answer, target.workspace);
  }

  private async update(): Promise<void> {
    const target = this.pickWorkspace(0.85);
    if (!target) return this.create();
    const ws = target.workspace;
    const r = this.random.next();
    if (r < INVALID_SHARE) {
      const input = this.random.pick<Record<string, unknown>>([
        { workspaceId: ws.id, archivedAt: null },
        { workspaceId: ws.id, name: "" },
        { workspaceId: ws.id, description: 42 },
        { workspaceId: "nope", name: this.newName() },
      ]);
      expectError((await this.write("workspaces.update", input)).answer, "BAD_REQUEST");
      return;
    }
    if (r < INVALID_SHARE + 0.03) {
      const input = { workspaceId: this.random.missingId("ws"), name: this.newName() };
      expectError((await this.write("workspaces.update", input)).answer, "NOT_FOUND");
      return;
    }

    const patch: { name?: string; description?: string | null } = {};
    const n = this.random.next();
    const others = this.model.active().filter((w) => w.workspace.id !== ws.id);
    if (n < 0.4) patch.name = this.random.chance(0.15) ? `  ${this.newName()}  ` : this.newName();
    else if (n < 0.48 && others.length > 0) patch.name = swapCase(this.random.pick(others).workspace.name); // taken
    else if (n < 0.53) patch.name = swapCase(ws.name); // its own name in another case: allowed
    else if (n < 0.6) patch.name = ws.name; // unchanged
    const description = this.description(ws.description);
    if (description !== undefined) patch.description = description;

    const ifMatch = this.ifMatchFor(ws);
    const { answer, requestId } = await this.write("workspaces.update", { workspaceId: ws.id, ...patch }, ifMatch.header);
    if (ifMatch.malformed) return expectError(answer, "BAD_REQUEST");
    if (!ifMatch.passes) return expectError(answer, "PRECONDITION_FAILED");
    if (ws.archivedAt !== null) return expectError(answer, "CONFLICT");
    const name = patch.name?.trim();
    const renames = name !== undefined && name !== ws.name;
    const describes = patch.description !== undefined && patch.description !== ws.description;
    if (renames && this.model.nameHolder(name, ws.id)) return expectError(answer, "CONFLICT");

    const got = expectSuccess<Workspace>(answer);
    expectETag(answer, got);
    if (!renames && !describes) {
      // Nothing changes: no new version, no new updatedAt, no audit event.
      expectEqual(got, ws, `${answer.request}: a PATCH that changes nothing`);
      return;
    }
    const expected: Workspace = {
      ...ws,
      name: renames ? name : ws.name,
      description: describes ? patch.description! : ws.description,
      updatedAt: got.updatedAt,
      version: ws.version + 1,
    };
    expectEqual(got, expected, `${answer.request}: updated workspace`);
    expectTrue(got.updatedAt >= ws.updatedAt, `${answer.request}: updatedAt went back from ${ws.updatedAt} to ${got.updatedAt}`);
    this.model.changed(ws, got, requestId);
  }

  private async archive(): Promise<void> {
    if (this.random.chance(0.03)) {
      expectError((await this.write("workspaces.archive", { workspaceId: this.random.missingId("ws") })).answer, "NOT_FOUND");
      return;
    }
    const target = this.pickWorkspace(0.85);
    if (!target) return this.create();
    const ws = target.workspace;
    const ifMatch = this.ifMatchFor(ws);
    const { answer, requestId } = await this.write("workspaces.archive", { workspaceId: ws.id }, ifMatch.header);
    if (ifMatch.malformed) return expectError(answer, "BAD_REQUEST");
    if (!ifMatch.passes) return expectError(answer, "PRECONDITION_FAILED");
    const got = expectSuccess<Workspace>(answer);
    expectETag(answer, got);
    if (ws.archivedAt !== null) {
      // Archiving again answers the first archive, unchanged.
      expectEqual(got, ws, `${answer.request}: archiving an archived workspace`);
      return;
    }
    expectTrue(got.archivedAt !== null && got.archivedAt >= ws.updatedAt, `${answer.request}: archivedAt ${got.archivedAt}`);
    expectEqual(
      got,
      { ...ws, archivedAt: got.archivedAt, updatedAt: got.archivedAt, version: ws.version + 1 },
      `${answer.request}: archived workspace`,
    );
    this.model.changed(ws, got, requestId);
  }

  /**
   * The account's list, walked to its end. Other clients change it meanwhile, so what is checked is
   * this client's slice (exactly its workspaces, as they are) and the promises of paging: ids in
   * ascending order, each once.
   */
  private async list(): Promise<void> {
    if (this.random.chance(INVALID_SHARE)) {
      const input = this.random.pick<Record<string, unknown>>([{ limit: 0 }, { limit: 101 }, { includeArchived: "maybe" }, { cursor: "!!" }]);
      expectError(await this.read("workspaces.list", input), "BAD_REQUEST");
      return;
    }
    const total = this.shared.clients.reduce((sum, c) => sum + c.workspaces.size, 0);
    const includeArchived = total < ARCHIVED_WALK_LIMIT && this.random.chance(0.25);
    const items = await this.walk<Workspace>("workspaces.list", { includeArchived: String(includeArchived) }, this.random.int(20, 100));
    if (!includeArchived) {
      const archived = items.find((w) => w.archivedAt !== null);
      expectTrue(archived === undefined, `workspaces.list: an archived workspace in the active list: ${JSON.stringify(archived)}`);
    }
    const mine = items.filter((w) => this.model.workspaces.has(w.id));
    const expected = [...this.model.workspaces.values()]
      .map((w) => w.workspace)
      .filter((w) => includeArchived || w.archivedAt === null)
      .sort((a, b) => compareIds(a.id, b.id));
    expectEqual(mine, expected, `workspaces.list (includeArchived=${includeArchived}): ${this.label}'s workspaces`);
  }

  // Members -------------------------------------------------------------------------------------------

  private async memberAdd(): Promise<void> {
    const target = this.pickWorkspace(0.9);
    if (!target) return this.create();
    const ws = target.workspace;
    if (this.random.chance(INVALID_SHARE)) {
      const input = { workspaceId: ws.id, profileId: this.random.pick(["prof_x", "", "ws_01JD8Z6V5TQ3R2P1N0M9K8J7H6"]) };
      expectError((await this.write("members.add", input)).answer, "BAD_REQUEST");
      return;
    }
    if (this.random.chance(0.03)) {
      const input = { workspaceId: this.random.missingId("ws"), profileId: this.random.pick(this.shared.pool.ids()) };
      expectError((await this.write("members.add", input)).answer, "NOT_FOUND");
      return;
    }
    const everyone = this.shared.pool.ids();
    const outsiders = everyone.filter((id) => !target.members.has(id));
    const r = this.random.next();
    let profileId: string;
    if (r < 0.05) profileId = this.random.missingId("prof");
    else if ((r < 0.2 && target.members.size > 0) || outsiders.length === 0) profileId = this.random.pick([...target.members.keys()]);
    else profileId = this.random.pick(outsiders);

    const { answer, requestId } = await this.write("members.add", { workspaceId: ws.id, profileId });
    // The workspace is checked first, then the profile, then the membership.
    if (ws.archivedAt !== null) return expectError(answer, "CONFLICT");
    const profile = this.shared.pool.byId.get(profileId);
    if (!profile) return expectError(answer, "NOT_FOUND");
    if (target.members.has(profileId)) return expectError(answer, "CONFLICT");
    const got = expectSuccess<WorkspaceMember>(answer);
    expectEqual(got, memberOf(profile, got), `${answer.request}: added member`);
    this.model.memberAdded(ws.id, got, requestId);
  }

  private async memberRemove(): Promise<void> {
    const target = this.pickWorkspace(0.75); // removing from an archived workspace is allowed
    if (!target) return this.create();
    const ws = target.workspace;
    if (this.random.chance(0.03)) {
      const input = { workspaceId: this.random.missingId("ws"), profileId: this.random.pick(this.shared.pool.ids()) };
      expectError((await this.write("members.remove", input)).answer, "NOT_FOUND");
      return;
    }
    const members = [...target.members.values()];
    const member = members.length > 0 && this.random.chance(0.8) ? this.random.pick(members) : undefined;
    const profileId = member?.profileId ?? this.outsider(target);
    const { answer, requestId } = await this.write("members.remove", { workspaceId: ws.id, profileId });
    if (!member) return expectError(answer, "NOT_FOUND");
    expectEqual(expectSuccess<WorkspaceMember>(answer), member, `${answer.request}: removed member`);
    this.model.memberRemoved(ws.id, member, requestId);
  }

  private async memberGet(): Promise<void> {
    const target = this.pickWorkspace(0.8);
    if (!target) return this.create();
    const members = [...target.members.values()];
    const member = members.length > 0 && this.random.chance(0.8) ? this.random.pick(members) : undefined;
    const profileId = member?.profileId ?? this.outsider(target);
    const answer = await this.read("members.get", { workspaceId: target.workspace.id, profileId });
    if (!member) return expectError(answer, "NOT_FOUND");
    expectEqual(expectSuccess<WorkspaceMember>(answer), member, `${answer.request}: member`);
  }

  private async memberList(): Promise<void> {
    const target = this.pickWorkspace(0.8);
    if (!target) return this.create();
    if (this.random.chance(INVALID_SHARE)) {
      expectError(await this.read("members.list", { workspaceId: target.workspace.id, limit: "ten" }), "BAD_REQUEST");
      return;
    }
    const items = await this.walk<WorkspaceMember>("members.list", { workspaceId: target.workspace.id }, this.random.int(5, 50));
    const expected = [...target.members.values()].sort((a, b) => compareIds(a.actorId, b.actorId));
    expectEqual(items, expected, `members.list ${target.workspace.id}`);
  }

  // Profiles and audit ----------------------------------------------------------------------------------

  private async search(): Promise<void> {
    if (this.random.chance(INVALID_SHARE)) {
      const input = this.random.pick<Record<string, unknown>>([{ query: "q".repeat(201) }, { query: "   " }, { limit: -1 }, { name: "x" }]);
      expectError(await this.read("profiles.search", input), "BAD_REQUEST");
      return;
    }
    const people = this.shared.pool.all();
    const someone = this.random.pick(people);
    const input: { query?: string; email?: string } = {};
    const r = this.random.next();
    if (r < 0.6) input.query = this.substringOf(this.random.chance(0.6) ? someone.name! : someone.email!);
    else if (r < 0.8) input.email = this.randomCase(someone.email!);
    else if (r < 0.88) {
      input.query = this.substringOf(someone.name!);
      input.email = this.randomCase(this.random.pick(people).email!);
    } else if (r < 0.93) input.query = "zqxj";
    const items = await this.walk<Profile>("profiles.search", input, this.random.int(5, 50));
    expectEqual(items, this.shared.pool.search(input.query, input.email), `profiles.search ${JSON.stringify(input)}`);
  }

  /**
   * The audit log is the whole account's, newest first. This client's events in it are exactly the
   * changes it made, in order, with the request ids it sent; filters by actor or by one of its
   * workspaces give them alone.
   */
  private async audit(): Promise<void> {
    if (this.random.chance(INVALID_SHARE)) {
      const input = this.random.pick<Record<string, unknown>>([{ action: "workspace.deleted" }, { since: "yesterday" }, { limit: 0 }]);
      expectError(await this.read("audit.list", input), "BAD_REQUEST");
      return;
    }
    const own = this.model.events;
    const r = this.random.next();
    if (r < 0.45) {
      const limit = this.random.int(1, 50);
      const answer = await this.read("audit.list", { actorProfileId: this.model.profileId, limit });
      const page = expectSuccess<AuditEventPage>(answer);
      expectDescending(page.data, answer);
      expectEqual(page.data.map(expectedOf), own.slice(-limit).reverse(), `${answer.request}: ${this.label}'s newest events`);
      expectEqual(page.hasMore, own.length > limit, `${answer.request}: hasMore`);
      return;
    }
    if (r < 0.75) {
      const target = this.pickWorkspace(0.7);
      if (!target) return this.create();
      const input: Record<string, unknown> = { workspaceId: target.workspace.id };
      if (this.random.chance(0.3)) input.action = this.random.pick(["workspace.updated", "member.added", "member.removed"]);
      const events = await this.walk<AuditEvent>("audit.list", input, this.random.int(5, 50));
      expectDescending(events, undefined);
      const expected = own
        .filter((e) => e.workspaceId === target.workspace.id && (input.action === undefined || e.action === input.action))
        .reverse();
      expectEqual(events.map(expectedOf), expected, `audit.list ${JSON.stringify(input)}`);
      return;
    }
    // The first page of everything: whichever of this client's events it holds are its newest ones.
    const answer = await this.read("audit.list", { limit: this.random.int(10, 100) });
    const page = expectSuccess<AuditEventPage>(answer);
    expectDescending(page.data, answer);
    const mine = page.data.filter((e) => e.actorProfileId === this.model.profileId).map(expectedOf);
    expectEqual(mine, own.slice(own.length - mine.length).reverse(), `${answer.request}: ${this.label}'s events on the first page`);
  }

  // How requests are sent ---------------------------------------------------------------------------------

  private protocol(): Protocol {
    return this.random.chance(TRPC_SHARE) ? "trpc" : "rest";
  }

  private requestId(): string {
    return `soak-${this.label}-${++this.seq}`;
  }

  private read(op: EndpointName, input: Record<string, unknown>): Promise<Answer> {
    return this.api.call(op, input, { protocol: this.protocol(), requestId: this.requestId() });
  }

  /**
   * Every page of a list, following `nextCursor`, checking the envelope: at most `limit` items,
   * `hasMore` exactly when there is a cursor, and no id twice (ids ascend, except the audit log's).
   */
  private async walk<T extends { id?: string; actorId?: string }>(
    op: "workspaces.list" | "members.list" | "profiles.search" | "audit.list",
    input: Record<string, unknown>,
    limit: number,
  ): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let pages = 1; ; pages++) {
      const answer = await this.read(op, { ...input, limit, ...(cursor === undefined ? {} : { cursor }) });
      const page = expectSuccess<{ data: T[]; hasMore: boolean; nextCursor: string | null }>(answer);
      expectTrue(page.data.length <= limit, `${answer.request}: ${page.data.length} items for limit ${limit}`);
      expectTrue(page.hasMore === (page.nextCursor !== null), `${answer.request}: hasMore ${page.hasMore} with nextCursor ${page.nextCursor}`);
      expectTrue(!page.hasMore || page.data.length === limit, `${answer.request}: a short page with more to come`);
      for (const item of page.data) {
        const id = item.id ?? item.actorId!;
        expectTrue(!seen.has(id), `${answer.request}: ${id} seen twice in one walk`);
        seen.add(id);
        const last = items[items.length - 1];
        if (last && op !== "audit.list") {
          expectTrue(compareIds(last.id ?? last.actorId!, id) < 0, `${answer.request}: ${id} out of order`);
        }
        items.push(item);
      }
      if (!page.hasMore) return items;
      cursor = page.nextCursor!;
      expectTrue(pages < 10_000, `${op}: the walk does not end`);
    }
  }

  /**
   * A write, sent plainly or with an Idempotency-Key. With a key it is sent twice: after the first
   * answer (a client that lost it and retries), or both at once (a client that timed out and retried
   * while the first still ran: the second may get a 409 "in progress" and retries until it gets the
   * replay). Exactly one of them does the work; the other must answer the same status and bytes with
   * `Idempotent-Replayed: true`. Sometimes the key is then reused for another request: a 422 that
   * changes nothing. Returns the answer that did the work, and its request id (the audit event's).
   */
  private async write(
    op: EndpointName,
    input: Record<string, unknown>,
    ifMatch?: string,
  ): Promise<{ answer: Answer; requestId: string }> {
    const protocol = this.protocol();
    const requestId = this.requestId();
    const plain = { protocol, requestId, ifMatch };
    if (!this.random.chance(IDEMPOTENT_SHARE)) return { answer: await this.api.call(op, input, plain), requestId };

    const keyed = { ...plain, idempotencyKey: `${this.label}-key-${this.seq}` };
    this.model.idempotencyKeys++;
    this.stats.tag("idempotent writes");
    let original: Answer;
    const mode = this.random.next();
    if (mode < 0.4) {
      original = await this.api.call(op, input, keyed);
      expectTrue(!original.replayed, `${original.request}: a first request answered as a replay`);
      const retry = await this.api.call(op, input, { ...keyed, requestId: `${requestId}-retry` });
      this.expectReplay(retry, original);
    } else if (mode < 0.8) {
      const both = await Promise.all([
        this.api.call(op, input, keyed),
        this.api.call(op, input, { ...keyed, requestId: `${requestId}-twin` }),
      ]);
      const settled = await Promise.all(both.map((answer) => this.untilNotInProgress(answer, op, input, keyed)));
      const originals = settled.filter((answer) => !answer.replayed);
      expectTrue(
        originals.length === 1,
        `${both[0]!.request}: ${originals.length} of two concurrent requests with one key did the work`,
      );
      original = originals[0]!;
      this.expectReplay(settled.find((answer) => answer !== original)!, original);
    } else {
      original = await this.api.call(op, input, keyed);
    }
    if (this.random.chance(0.1)) {
      const other = { name: `${this.prefix} never ${this.seq}` };
      const reuse = await this.api.call("workspaces.create", other, { ...keyed, requestId: `${requestId}-reuse` });
      expectError(reuse, "UNPROCESSABLE_CONTENT");
      this.stats.tag("key reused for another request: 422");
    }
    return { answer: original, requestId: original.requestId };
  }

  private expectReplay(replay: Answer, original: Answer): void {
    expectTrue(replay.replayed, `${replay.request}: a repeat with the same key was not a replay: ${replay.status} ${replay.text.slice(0, 300)}`);
    expectSameAnswer(replay, original);
    this.stats.tag("idempotent replays");
  }

  /** A 409 with Retry-After is "the first request with this key still runs": retry until it has finished. */
  private async untilNotInProgress(
    answer: Answer,
    op: EndpointName,
    input: Record<string, unknown>,
    options: { protocol: Protocol; requestId: string; idempotencyKey: string; ifMatch?: string | undefined },
  ): Promise<Answer> {
    for (let attempt = 1; answer.status === 409 && answer.retryAfter !== null; attempt++) {
      expectError(answer, "CONFLICT");
      this.stats.tag("idempotency key in progress: 409");
      expectTrue(attempt <= 100, `${answer.request}: still in progress after 100 retries`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(10 * attempt, 200)));
      answer = await this.api.call(op, input, { ...options, requestId: `${answer.requestId.replace(/-wait\d+$/, "")}-wait${attempt}` });
    }
    return answer;
  }

  /**
   * `If-Match`: mostly none or the current ETag; sometimes `*` or a list holding it (all pass), a stale
   * or weak tag (412: strong comparison), or a bare number (400: not an entity tag).
   */
  private ifMatchFor(ws: Workspace): { header: string | undefined; passes: boolean; malformed: boolean } {
    const r = this.random.next();
    const result = (header: string | undefined, passes: boolean, malformed = false) => {
      if (header !== undefined) this.stats.tag("If-Match sent");
      if (!passes && !malformed) this.stats.tag("If-Match stale: 412");
      return { header, passes, malformed };
    };
    if (r < 0.55) return result(undefined, true);
    if (r < 0.8) return result(`"${ws.version}"`, true);
    if (r < 0.84) return result("*", true);
    if (r < 0.88) return result(`"${ws.version + 5}", "${ws.version}"`, true);
    if (r < 0.95) return result(`"${ws.version > 1 && this.random.chance(0.5) ? ws.version - 1 : ws.version + 1}"`, false);
    if (r < 0.98) return result(`W/"${ws.version}"`, false);
    return result(String(ws.version), false, true);
  }

  // Choices -------------------------------------------------------------------------------------------

  /** One of this client's workspaces: an active one with probability `activeShare` (when there is one). */
  private pickWorkspace(activeShare: number): OwnedWorkspace | undefined {
    const active = this.model.active();
    const archived = this.model.archived();
    if (active.length === 0 && archived.length === 0) return undefined;
    if (archived.length === 0 || (active.length > 0 && this.random.chance(activeShare))) return this.random.pick(active);
    // The most recently archived ones: old ones would only be read again and again.
    return this.random.pick(archived.slice(-20));
  }

  /** A person of the account who is not a member of `target` (or, when everyone is, no one's id). */
  private outsider(target: OwnedWorkspace): string {
    const outsiders = this.shared.pool.ids().filter((id) => !target.members.has(id));
    return outsiders.length > 0 ? this.random.pick(outsiders) : this.random.missingId("prof");
  }

  private newName(): string {
    return `${this.prefix} ${this.random.pick(WORDS)} ${++this.seq}`;
  }

  /** undefined (leave it out), null, empty, the current value, a short text, or the longest allowed. */
  private description(current: string | null | undefined): string | null | undefined {
    const r = this.random.next();
    if (r < 0.4) return undefined;
    if (r < 0.5) return null;
    if (r < 0.54) return "";
    if (r < 0.62 && current !== undefined) return current;
    if (r < 0.64) return "D".repeat(2000);
    return `${this.random.pick(WORDS)} notes ${this.seq}: ${"lorem ipsum ".repeat(this.random.int(0, 12))}`.trim();
  }

  /** A piece of a name or address (at least one character that is not a space), in a random case. */
  private substringOf(text: string): string {
    for (;;) {
      const start = this.random.int(0, text.length - 1);
      const piece = text.slice(start, start + this.random.int(1, 6)).trim();
      if (piece) return this.randomCase(piece);
    }
  }

  private randomCase(text: string): string {
    const r = this.random.next();
    return r < 0.3 ? text.toUpperCase() : r < 0.5 ? text.toLowerCase() : r < 0.6 ? swapCase(text) : text;
  }
}

/** Upper case for lower and lower for upper: the same name to the API (`Straße` → `sTRASSE`). */
export function swapCase(text: string): string {
  const swapped = [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
  // A name with no letters would come back as itself; none of ours has none.
  return fold(swapped) === fold(text) ? swapped : text.toUpperCase();
}

/** A member as the API answers it: email and name are left out while unknown. */
export function memberOf(profile: Profile, added: { actorId: string; addedAt?: string | undefined }): WorkspaceMember {
  const member: WorkspaceMember = { actorId: added.actorId, profileId: profile.id };
  if (added.addedAt !== undefined) member.addedAt = added.addedAt;
  if (profile.email) member.email = profile.email;
  if (profile.name) member.name = profile.name;
  return member;
}

/** The part of an audit event the model predicts. */
export function expectedOf(event: AuditEvent): ExpectedAuditEvent {
  return {
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    workspaceId: event.workspaceId!,
    actorProfileId: event.actorProfileId!,
    requestId: event.requestId!,
    changes: event.changes,
  };
}

/** The audit log is newest first: ids strictly descending. */
function expectDescending(events: AuditEvent[], answer: Answer | undefined): void {
  for (let i = 1; i < events.length; i++) {
    expectTrue(
      compareIds(events[i - 1]!.id, events[i]!.id) > 0,
      `${answer?.request ?? "audit.list"}: ${events[i]!.id} after ${events[i - 1]!.id} (newest first)`,
    );
  }
}
