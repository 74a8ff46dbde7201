import type { EntityManager } from "typeorm";
import type { Database } from "../db/database.ts";
import { isUniqueViolation } from "../db/database.ts";
import { IdempotencyKeyEntity, type IdempotencyKeyRow } from "../db/entities.ts";

/** How long a key's answer is kept and replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long an `in_progress` claim may stand before it is taken for abandoned (its process died before it
 * could store the answer or release the key) and a new request with the key may run. Far longer than any
 * request runs (the statement timeout is 10 s).
 */
export const STALE_CLAIM_MS = 60 * 1000;

/** What the first request with a key was: the account's key, and a digest of method, path and body. */
export interface IdempotentRequest {
  accountId: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
}

export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Claim =
  /** The key is ours: run the request, then `completeClaim` or `releaseClaim`. */
  | { outcome: "claimed" }
  /** The key already answered this request: send that answer again. */
  | { outcome: "replay"; answer: StoredAnswer }
  /** The key was first used for another request. */
  | { outcome: "mismatch"; method: string; path: string }
  /** The first request with the key is still running. */
  | { outcome: "in_progress" };

/**
 * Claims the key for this request by inserting an `in_progress` row; the primary key (account, key)
 * lets exactly one of several concurrent claims succeed, on one instance or many. An expired key, or a
 * claim abandoned by a dead process, is replaced.
 */
export async function claimIdempotencyKey(db: Database, request: IdempotentRequest): Promise<Claim> {
  // Most repeats find a live key: answer them from a read, without taking the write lock.
  const seen = await db.read((manager) => findKey(manager, request));
  if (seen && isLive(seen, Date.now())) return outcomeOf(seen, request);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await db.write((manager) => claimOnce(manager, request, Date.now()));
    } catch (error) {
      // Another request inserted the key between our read and our insert: read it again.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return { outcome: "in_progress" };
}

function findKey(manager: EntityManager, request: IdempotentRequest): Promise<IdempotencyKeyRow | null> {
  return manager
    .createQueryBuilder(IdempotencyKeyEntity, "k")
    .where("k.accountId = :accountId AND k.key = :key", { accountId: request.accountId, key: request.key })
    .getOne();
}

/** What a live key says about this request. */
function outcomeOf(existing: IdempotencyKeyRow, request: IdempotentRequest): Claim {
  if (existing.fingerprint !== request.fingerprint) {
    return { outcome: "mismatch", method: existing.method, path: existing.path };
  }
  if (existing.state === "completed" && existing.responseStatus !== null) {
    return {
      outcome: "replay",
      answer: {
        status: existing.responseStatus,
        headers: JSON.parse(existing.responseHeaders ?? "{}") as Record<string, string>,
        body: existing.responseBody ?? "",
      },
    };
  }
  return { outcome: "in_progress" };
}

async function claimOnce(manager: EntityManager, request: IdempotentRequest, now: number): Promise<Claim> {
  const nowIso = new Date(now).toISOString();
  const existing = await findKey(manager, request);
  if (existing && isLive(existing, now)) return outcomeOf(existing, request);

  // Update and delete builders take column names (they have no alias to resolve properties through).
  // Housekeeping: the account's expired keys go whenever it claims a new one.
  await manager
    .createQueryBuilder()
    .delete()
    .from(IdempotencyKeyEntity)
    .where("account_id = :accountId AND expires_at <= :now", { accountId: request.accountId, now: nowIso })
    .execute();
  if (existing) {
    await manager
      .createQueryBuilder()
      .delete()
      .from(IdempotencyKeyEntity)
      .where("account_id = :accountId AND idempotency_key = :key", { accountId: request.accountId, key: request.key })
      .execute();
  }
  const row: IdempotencyKeyRow = {
    ...request,
    state: "in_progress",
    responseStatus: null,
    responseHeaders: null,
    responseBody: null,
    createdAt: nowIso,
    expiresAt: new Date(now + IDEMPOTENCY_TTL_MS).toISOString(),
  };
  await manager.createQueryBuilder().insert().into(IdempotencyKeyEntity).values(row).execute();
  return { outcome: "claimed" };
}

function isLive(row: IdempotencyKeyRow, now: number): boolean {
  if (Date.parse(row.expiresAt) <= now) return false;
  if (row.state === "in_progress" && Date.parse(row.createdAt) + STALE_CLAIM_MS <= now) return false;
  return true;
}

/** Stores the answer of the claimed request, to be replayed for the rest of the key's lifetime. */
export async function completeClaim(db: Database, request: IdempotentRequest, answer: StoredAnswer): Promise<void> {
  await db.write((manager) =>
    manager
      .createQueryBuilder()
      .update(IdempotencyKeyEntity)
      .set({
        state: "completed",
        responseStatus: answer.status,
        responseHeaders: JSON.stringify(answer.headers),
        responseBody: answer.body,
      })
      .where("account_id = :accountId AND idempotency_key = :key AND fingerprint = :fingerprint AND state = 'in_progress'", {
        accountId: request.accountId,
        key: request.key,
        fingerprint: request.fingerprint,
      })
      .execute(),
  );
}

/** Gives the key up (the request failed with a 5xx or never answered): a retry runs afresh. */
export async function releaseClaim(db: Database, request: IdempotentRequest): Promise<void> {
  await db.write((manager) =>
    manager
      .createQueryBuilder()
      .delete()
      .from(IdempotencyKeyEntity)
      .where("account_id = :accountId AND idempotency_key = :key AND fingerprint = :fingerprint AND state = 'in_progress'", {
        accountId: request.accountId,
        key: request.key,
        fingerprint: request.fingerprint,
      })
      .execute(),
  );
}
