import type { EntityManager } from "typeorm";
import type { Database } from "../db/database.ts";
import { isUniqueViolation } from "../db/database.ts";
import { AccountEntity, ProfileEntity, type ProfileRow } from "../db/entities.ts";
import { newId } from "../db/ids.ts";
import { foldCase, profileSearchKey } from "../db/text-keys.ts";

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
 */
export async function resolveAdminIdentity(db: Database, identity: TokenIdentity): Promise<ResolvedIdentity> {
  try {
    return await db.write((manager) => upsertIdentity(manager, identity));
  } catch (error) {
    // Two first calls of one account at once: one inserted, the other hit the unique index. The row
    // exists now; a second attempt finds it.
    if (isUniqueViolation(error)) return db.write((manager) => upsertIdentity(manager, identity));
    throw error;
  }
}

async function upsertIdentity(manager: EntityManager, identity: TokenIdentity): Promise<ResolvedIdentity> {
  const now = new Date().toISOString();
  let account = await manager
    .createQueryBuilder(AccountEntity, "a")
    .where("a.workosOrganizationId = :org", { org: identity.organizationId })
    .getOne();
  if (!account) {
    account = { id: newId("account"), workosOrganizationId: identity.organizationId, createdAt: now };
    await manager.createQueryBuilder().insert().into(AccountEntity).values(account).execute();
  }

  const profile = await manager
    .createQueryBuilder(ProfileEntity, "p")
    .where("p.accountId = :accountId AND p.workosUserId = :userId", {
      accountId: account.id,
      userId: identity.userId,
    })
    .getOne();
  if (!profile) {
    const email = identity.email ?? "";
    const name = identity.name ?? "";
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

/**
 * Remembers identities already brought up to date, so that a stream of calls with one token costs no
 * write. The key holds every claim that is written, so a token with a new email or name misses it.
 */
export class IdentityCache {
  private readonly entries = new Map<string, ResolvedIdentity>();
  constructor(private readonly maxEntries = 10_000) {}

  async resolve(db: Database, identity: TokenIdentity): Promise<ResolvedIdentity> {
    const key = [identity.organizationId, identity.userId, identity.email ?? "", identity.name ?? ""].join("\u0000");
    const cached = this.entries.get(key);
    if (cached) return cached;
    const resolved = await resolveAdminIdentity(db, identity);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, resolved);
    return resolved;
  }
}
