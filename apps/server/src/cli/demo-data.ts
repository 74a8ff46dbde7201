import type { Database } from "../db/database.ts";
import { AccountEntity } from "../db/entities.ts";
import { DomainError } from "../services/errors.ts";
import { resolveAdminIdentity } from "../services/identity.ts";
import { addWorkspaceMember } from "../services/members.ts";
import type { AccountScope } from "../services/scope.ts";
import { createWorkspace, listWorkspaces } from "../services/workspaces.ts";

export const DEMO_ORG = "org_demo";
export const DEMO_ADMIN = { userId: "user_demo_admin", email: "admin@demo.example", name: "Dana Admin" };

const FIRST = ["Ada", "Björn", "Chloé", "Dmitri", "Émile", "Fatima", "Grace", "Hiro", "Ingrid", "José", "Kwame", "Léa"];
const LAST = ["Lovelace", "Ström", "Dubois", "Ivanov", "Zola", "Haddad", "Hopper", "Tanaka"];
const WORKSPACES = [
  { name: "Engineering", description: "Product engineering", members: 12 },
  { name: "Design", description: "Product and brand design", members: 6 },
  { name: "Sales", description: null, members: 8 },
  { name: "Support", description: "Customer support", members: 5 },
  { name: "Finance", description: "Budgets and invoices", members: 3 },
];

/** Demo people: deterministic, so a second run finds every one of them already there. */
export function demoPeople(count = 36) {
  return Array.from({ length: count }, (_, i) => {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    const n = String(i + 1).padStart(2, "0");
    return {
      userId: `user_demo_${n}`,
      name: `${first} ${last}`,
      email: `${first.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()}.${last.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()}${n}@demo.example`,
    };
  });
}

/**
 * Fills the demo account through the same services the API uses. Idempotent: profiles are found by
 * WorkOS user id, workspaces by name, and an existing membership is left as it is.
 */
export async function seedDemoAccount(db: Database): Promise<{ workspaces: number; profiles: number }> {
  const admin = await resolveAdminIdentity(db, { organizationId: DEMO_ORG, ...DEMO_ADMIN });
  const scope: AccountScope = { db, accountId: admin.accountId, actorProfileId: admin.profileId };
  const profileIds: string[] = [];
  for (const person of demoPeople()) {
    const identity = await resolveAdminIdentity(db, { organizationId: DEMO_ORG, ...person });
    profileIds.push(identity.profileId);
  }

  const existing = new Map<string, string>();
  for (let cursor: string | undefined, more = true; more; ) {
    const page = await listWorkspaces(scope, { limit: 100, cursor, includeArchived: false });
    for (const workspace of page.data) existing.set(workspace.name, workspace.id);
    more = page.hasMore;
    cursor = page.nextCursor ?? undefined;
  }

  let offset = 0;
  for (const spec of WORKSPACES) {
    const workspaceId =
      existing.get(spec.name) ??
      (await createWorkspace(scope, { name: spec.name, description: spec.description ?? undefined })).id;
    const members = [admin.profileId, ...profileIds.slice(offset, offset + spec.members)];
    offset = (offset + spec.members) % profileIds.length;
    for (const profileId of members) {
      try {
        await addWorkspaceMember(scope, { workspaceId, profileId });
      } catch (error) {
        if (!(error instanceof DomainError && error.code === "CONFLICT")) throw error;
      }
    }
  }
  return { workspaces: WORKSPACES.length, profiles: profileIds.length + 1 };
}

export async function databaseIsEmpty(db: Database): Promise<boolean> {
  const count = await db.read((manager) => manager.createQueryBuilder(AccountEntity, "a").getCount());
  return count === 0;
}
