import type { EntityManager } from "typeorm";
import type { Database } from "../db/database.ts";
import { isUniqueViolation } from "../db/database.ts";
import { DirectorySyncEventEntity, DirectorySyncStateEntity, DirectoryUserEntity } from "../db/entities.ts";
import type { Logger } from "../logger.ts";
import {
  type ApplyOutcome,
  applyDirectoryEvents,
  type DirectoryEvent,
  type DirectoryMembership,
  type DirectoryUser,
} from "./directory-events.ts";

/** Where directory events come from: the WorkOS Events API (see `workos/directory-source.ts`). */
export interface DirectorySource {
  /** Events after `after` (an event id; undefined: the oldest WorkOS still keeps), oldest first. */
  listEvents(after: string | undefined, limit: number): Promise<DirectoryEvent[]>;
  /** The user, or undefined when WorkOS no longer has them. */
  getUser(userId: string): Promise<DirectoryUser | undefined>;
  /** Every organization's id (for the full import). */
  listOrganizationIds(): Promise<string[]>;
  /** An organization's memberships, every status, and its users, as they are now. */
  listOrganizationDirectory(organizationId: string): Promise<{ users: DirectoryUser[]; memberships: DirectoryMembership[] }>;
}

export interface SyncPassResult extends ApplyOutcome {
  pages: number;
  cursor: string | null;
  /** Set when the pass began with a full import (the first pass ever, or `full: true`). */
  imported?: ImportResult;
}

export interface ImportResult {
  organizations: number;
  profilesChanged: number;
  membershipsEnded: number;
}

const STATE_ID = "workos-events";
/** Applied event ids are kept this long (longer than WorkOS keeps events and retries webhooks). */
const EVENT_ID_RETENTION_DAYS = 45;

/** Another process advanced the cursor while this one was applying the same page. */
class CursorMoved extends Error {}

/**
 * Keeps accounts and profiles in step with WorkOS. One pass reads the Events API page by page from
 * the cursor stored in the database, and applies each page and moves the cursor in one write unit:
 * a crash loses no event and a restart resumes where the last committed page ended. The webhook
 * hands its events to `applyEvents`, and the event ids make the two paths agree.
 */
export class DirectorySync {
  private running: Promise<SyncPassResult> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly source: DirectorySource,
    private readonly logger: Logger,
    private readonly options: { pageSize: number; onChange?: () => void },
  ) {}

  /**
   * One pass to the end of the event stream. Calls made while a pass runs share it. The first pass
   * ever (or `full`) first imports every organization as it is now: the Events API only keeps recent
   * events, and people whose last change is older would otherwise never appear.
   */
  runOnce(options: { full?: boolean } = {}): Promise<SyncPassResult> {
    this.running ??= this.pass(options.full ?? false).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs a pass every `intervalSeconds` (the first one at once) until `stop`. Failures are logged. */
  start(intervalSeconds: number): void {
    if (this.timer || intervalSeconds <= 0) return;
    const tick = () => {
      this.runOnce().then(
        (result) => {
          if (result.applied > 0) this.logger.info({ ...result }, "directory sync applied events");
        },
        (error: unknown) => this.logger.error({ err: error }, "directory sync failed; retrying at the next interval"),
      );
    };
    this.timer = setInterval(tick, intervalSeconds * 1000);
    this.timer.unref();
    tick();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Applies events delivered by a webhook (already verified). */
  async applyEvents(events: DirectoryEvent[]): Promise<ApplyOutcome> {
    const knownUsers = await this.fetchUnknownUsers(events);
    const outcome = await this.retryingRace(() => this.db.write((manager) => applyDirectoryEvents(manager, events, knownUsers)));
    if (outcome.profilesChanged > 0) this.options.onChange?.();
    return outcome;
  }

  /** The stored cursor: the id of the last event applied by the poll. */
  async cursor(): Promise<string | null> {
    return this.db.read(async (manager) => (await readState(manager)).eventsCursor);
  }

  /**
   * Applies every organization's current memberships and users as synthetic events whose ids name the
   * state (`import:<id>:<updated_at>`): importing an unchanged directory again is a no-op, and events
   * older than the imported state are ignored by the usual ordering rules.
   */
  async importAll(): Promise<ImportResult> {
    const result: ImportResult = { organizations: 0, profilesChanged: 0, membershipsEnded: 0 };
    for (const organizationId of await this.source.listOrganizationIds()) {
      const { users, memberships } = await this.source.listOrganizationDirectory(organizationId);
      const events: DirectoryEvent[] = [
        ...users.map((user): DirectoryEvent => ({ id: importId("user", user), createdAt: user.updatedAt, type: "user.updated", user })),
        ...memberships.map(
          (membership: DirectoryMembership): DirectoryEvent => ({
            id: importId("membership", membership),
            createdAt: membership.updatedAt,
            type: "organization_membership.updated",
            membership,
          }),
        ),
      ];
      const outcome = await this.retryingRace(() => this.db.write((manager) => applyDirectoryEvents(manager, events)));
      result.organizations++;
      result.profilesChanged += outcome.profilesChanged;
      result.membershipsEnded += outcome.membershipsEnded;
      if (outcome.profilesChanged > 0) this.options.onChange?.();
    }
    return result;
  }

  private async pass(full: boolean): Promise<SyncPassResult> {
    const total: SyncPassResult = { applied: 0, skipped: 0, profilesChanged: 0, membershipsEnded: 0, pages: 0, cursor: null };
    const state = await this.db.read((manager) => readState(manager));
    if (full || (state.lastRunAt === null && state.eventsCursor === null)) total.imported = await this.importAll();
    let cursor = state.eventsCursor;
    for (;;) {
      const events = await this.source.listEvents(cursor ?? undefined, this.options.pageSize);
      if (events.length === 0) break;
      const knownUsers = await this.fetchUnknownUsers(events);
      const next = events[events.length - 1]!.id;
      const from = cursor;
      let outcome: ApplyOutcome;
      try {
        outcome = await this.retryingRace(() =>
          this.db.write(async (manager) => {
            // Compare-and-set: if another process (a second server, `npm run sync`) applied this page
            // first, stop here; its pass carries on from where it got to.
            if ((await readState(manager, { lock: true })).eventsCursor !== from) throw new CursorMoved();
            const applied = await applyDirectoryEvents(manager, events, knownUsers);
            await writeCursor(manager, next);
            return applied;
          }),
        );
      } catch (error) {
        if (error instanceof CursorMoved) break;
        throw error;
      }
      cursor = next;
      total.pages++;
      total.applied += outcome.applied;
      total.skipped += outcome.skipped;
      total.profilesChanged += outcome.profilesChanged;
      total.membershipsEnded += outcome.membershipsEnded;
      if (outcome.profilesChanged > 0) this.options.onChange?.();
      if (events.length < this.options.pageSize) break;
    }
    await this.db.write(async (manager) => {
      const now = new Date();
      await manager
        .createQueryBuilder()
        .update(DirectorySyncStateEntity)
        .set({ lastRunAt: now.toISOString() })
        .where("id = :id", { id: STATE_ID })
        .execute();
      const horizon = new Date(now.getTime() - EVENT_ID_RETENTION_DAYS * 86_400_000).toISOString();
      await manager
        .createQueryBuilder()
        .delete()
        .from(DirectorySyncEventEntity)
        .where("processedAt < :horizon", { horizon })
        .execute();
    });
    total.cursor = cursor;
    return total;
  }

  /**
   * Membership events name a user by id only. For users no event has described yet (they were created
   * before the oldest event WorkOS keeps), ask WorkOS, before the write unit: no network call holds a
   * transaction open.
   */
  private async fetchUnknownUsers(events: DirectoryEvent[]): Promise<Map<string, DirectoryUser>> {
    const described = new Set<string>();
    const wanted = new Set<string>();
    for (const event of events) {
      if ("user" in event) described.add(event.user.id);
      else if (event.type !== "organization_membership.deleted" && !described.has(event.membership.userId)) {
        wanted.add(event.membership.userId);
      }
    }
    if (wanted.size === 0) return new Map();
    const stored = await this.db.read((manager) =>
      manager
        .createQueryBuilder(DirectoryUserEntity, "u")
        .select('u.workosUserId AS "id"')
        .where("u.workosUserId IN (:...ids)", { ids: [...wanted] })
        .getRawMany<{ id: string }>(),
    );
    for (const row of stored) wanted.delete(row.id);
    const users = new Map<string, DirectoryUser>();
    for (const userId of wanted) {
      const user = await this.source.getUser(userId);
      if (user) users.set(userId, user);
    }
    return users;
  }

  /** Two writers creating the same account or recording the same event id: the loser runs again. */
  private async retryingRace<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
  }
}

/** `lock`: PostgreSQL row lock, so two passes in two processes take turns on the cursor. */
function importId(kind: "user" | "membership", item: { id: string; updatedAt: string }): string {
  return `import:${kind}:${item.id}:${item.updatedAt}`.slice(0, 255);
}

async function readState(manager: EntityManager, options: { lock?: boolean } = {}) {
  const query = manager.createQueryBuilder(DirectorySyncStateEntity, "s").where("s.id = :id", { id: STATE_ID });
  if (options.lock && manager.connection.options.type === "postgres") query.setLock("pessimistic_write");
  const state = await query.getOne();
  if (!state) throw new Error("directory_sync_state has no row: run the migrations");
  return state;
}

async function writeCursor(manager: EntityManager, cursor: string): Promise<void> {
  await manager
    .createQueryBuilder()
    .update(DirectorySyncStateEntity)
    .set({ eventsCursor: cursor, updatedAt: new Date().toISOString() })
    .where("id = :id", { id: STATE_ID })
    .execute();
}
