import type { EntityManager } from "typeorm";
import type { Database } from "../db/database.ts";
import { isUniqueViolation } from "../db/database.ts";
import { DirectoryUserEntity, ProfileEntity, type ProfileRow } from "../db/entities.ts";
import { newId } from "../db/ids.ts";
import { foldCase, profileSearchKey } from "../db/text-keys.ts";
import { findOrCreateAccount } from "./accounts.ts";
import { DomainError } from "./errors.ts";

/** Who a verified token says the caller is. */
export interface TokenIdentity {
  organizationId: string;
  userId: string;
  email?: string | undefined;
  name?: string | undefined;
}

export interface ResolvedIdentity {
  accountId: string;
  profileId: string;
}

/**
 * Finds or creates the caller's account (by WorkOS organization id) and profile (by WorkOS user id),
 * and brings the profile's email and name up to date with the token's claims. Runs only for admins,
 * after the role check: a rejected caller creates nothing.
 *
 * Directory sync has the last word on who belongs: a profile it marked removed (WorkOS user deleted,
 * membership deleted or deactivated) is refused with 403 and never brought back by a token, even one
 * still within its lifetime; only a WorkOS membership event restores it.
 */
export async function resolveAdminIdentity(db: Database, identity: TokenIdentity): Promise<ResolvedIdentity> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.write((manager) => upsertIdentity(manager, identity));
    } catch (error) {
      // First calls of one account at once (in one process or several): one inserted, the others hit
      // the unique index on the account, then maybe on the profile. The rows exist now; another attempt
      // finds them. Each attempt gets past at least one of the two inserts, so three always suffice.
      if (attempt >= IDENTITY_ATTEMPTS || !isUniqueViolation(error)) throw error;
    }
  }
}

const IDENTITY_ATTEMPTS = 3;

async function upsertIdentity(manager: EntityManager, identity: TokenIdentity): Promise<ResolvedIdentity> {
  const now = new Date().toISOString();
  const account = await findOrCreateAccount(manager, identity.organizationId);
  const profile = await manager
    .createQueryBuilder(ProfileEntity, "p")
    .where("p.accountId = :accountId AND p.workosUserId = :userId", {
      accountId: account.id,
      userId: identity.userId,
    })
    .getOne();
  if (profile?.removedAt) throw removedFromOrganization();
  if (!profile) {
    // WorkOS access tokens carry no email or name: take them from what directory sync knows.
    const known = await manager
      .createQueryBuilder(DirectoryUserEntity, "u")
      .where("u.workosUserId = :userId", { userId: identity.userId })
      .getOne();
    if (known?.deletedAt) throw removedFromOrganization();
    const email = identity.email ?? known?.email ?? "";
    const name = identity.name ?? known?.name ?? "";
    const row: ProfileRow = {
      id: newId("profile"),
      accountId: account.id,
      workosUserId: identity.userId,
      email,
      emailKey: foldCase(email),
      name,
      searchKey: profileSearchKey(name, email),
      createdAt: now,
      updatedAt: now,
    };
    await manager.createQueryBuilder().insert().into(ProfileEntity).values(row).execute();
    return { accountId: account.id, profileId: row.id };
  }

  const email = identity.email ?? profile.email;
  const name = identity.name ?? profile.name;
  if (email !== profile.email || name !== profile.name) {
    await manager
      .createQueryBuilder()
      .update(ProfileEntity)
      .set({ email, emailKey: foldCase(email), name, searchKey: profileSearchKey(name, email), updatedAt: now })
      .where("id = :id", { id: profile.id })
      .execute();
  }
  return { accountId: account.id, profileId: profile.id };
}

function removedFromOrganization(): DomainError {
  return new DomainError("FORBIDDEN", "Your WorkOS user or organization membership has been removed");
}

const keys = new WeakMap<TokenIdentity, string>();

/**
 * Every claim that is written, joined by NUL (which no claim can hold: see verify-token.ts). Memoized per
 * identity object: the verified-token cache hands out the same object for every request with one token.
 */
function keyOf(identity: TokenIdentity): string {
  let key = keys.get(identity);
  if (key === undefined) {
    key = [identity.organizationId, identity.userId, identity.email ?? "", identity.name ?? ""].join("\u0000");
    keys.set(identity, key);
  }
  return key;
}

/**
 * Remembers identities already brought up to date, so that a stream of calls with one token costs no
 * write. The key holds every claim that is written, so a token with a new email or name misses it.
 *
 * An entry must not keep a profile usable after directory sync removed it: the server's own sync and
 * webhook clear the cache whenever they change a profile, and entries expire after `maxAgeMs` so that
 * a sync run by another process (`npm run sync`) takes effect within that time too.
 */
export class IdentityCache {
  private readonly entries = new Map<string, { identity: ResolvedIdentity; expiresAt: number }>();
  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 30_000,
  ) {}

  async resolve(db: Database, identity: TokenIdentity): Promise<ResolvedIdentity> {
    const cached = this.peek(identity);
    if (cached) return cached;
    const key = keyOf(identity);
    const resolved = await resolveAdminIdentity(db, identity);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { identity: resolved, expiresAt: Date.now() + this.maxAgeMs });
    return resolved;
  }

  /** The identity already brought up to date for these claims, if it has not expired: no promise, no query. */
  peek(identity: TokenIdentity): ResolvedIdentity | undefined {
    const cached = this.entries.get(keyOf(identity));
    return cached && cached.expiresAt > Date.now() ? cached.identity : undefined;
  }

  /** Forgets everything: the next call of every admin reads the database again. */
  clear(): void {
    this.entries.clear();
  }
}
