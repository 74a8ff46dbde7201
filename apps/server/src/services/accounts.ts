import type { EntityManager } from "typeorm";
import { AccountEntity, type AccountRow } from "../db/entities.ts";
import { newId } from "../db/ids.ts";

/**
 * The account of a WorkOS organization, created on first sight (an admin's first call, or a directory
 * event naming the organization). Two first sights at once: the unique index on the organization id
 * lets one insert win; the caller retries its unit and finds the row.
 */
export async function findOrCreateAccount(manager: EntityManager, organizationId: string): Promise<AccountRow> {
  const account = await findAccount(manager, organizationId);
  if (account) return account;
  const row: AccountRow = { id: newId("account"), workosOrganizationId: organizationId, createdAt: new Date().toISOString() };
  await manager.createQueryBuilder().insert().into(AccountEntity).values(row).execute();
  return row;
}

export function findAccount(manager: EntityManager, organizationId: string): Promise<AccountRow | null> {
  return manager
    .createQueryBuilder(AccountEntity, "a")
    .where("a.workosOrganizationId = :org", { org: organizationId })
    .getOne();
}
