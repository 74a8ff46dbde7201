import type { Profile, SearchProfilesInput } from "@workspace-admin/contracts";
import type { z } from "zod";
import { ProfileEntity, type ProfileRow } from "../db/entities.ts";
import { findProfilesBySubstring } from "../db/profile-search-sqlite.ts";
import { escapeLike, foldCase } from "../db/text-keys.ts";
import { decodeCursor, type Page, toPage } from "./pagination.ts";
import type { AccountScope } from "./scope.ts";

export function toProfile(row: ProfileRow): Profile {
  // An empty string in the database means "not known" (a token without email/name claims).
  return {
    id: row.id,
    email: row.email || null,
    name: row.name || null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * `query` matches name or email anywhere, `email` the whole address; both fold case for every alphabet
 * by comparing the folded keys stored beside the text. Ordered by profile id (creation order).
 */
export async function searchProfiles(
  scope: AccountScope,
  input: z.output<typeof SearchProfilesInput>,
): Promise<Page<Profile>> {
  const after = decodeCursor(input.cursor, "prof");
  if (scope.db.dialect === "sqlite" && input.query !== undefined && input.email === undefined) {
    // The trigram index (PostgreSQL's pg_trgm index serves the generic query below by itself).
    const search = { accountId: scope.accountId, term: foldCase(input.query), after, rows: input.limit + 1 };
    const found = await scope.db.read((manager) =>
      findProfilesBySubstring<ProfileRow>((sql, params) => manager.query(sql, params), search),
    );
    return toPage(found, input.limit, toProfile);
  }
  const rows = await scope.db.read((manager) => {
    const query = manager
      .createQueryBuilder(ProfileEntity, "p")
      .where("p.accountId = :accountId", { accountId: scope.accountId })
      // Removed by directory sync (WorkOS user or membership gone): not a person an admin can pick.
      .andWhere("p.removedAt IS NULL");
    if (input.query !== undefined) {
      query.andWhere("p.searchKey LIKE :pattern ESCAPE '\\'", { pattern: `%${escapeLike(foldCase(input.query))}%` });
    }
    if (input.email !== undefined) query.andWhere("p.emailKey = :emailKey", { emailKey: foldCase(input.email) });
    if (after) query.andWhere("p.id > :after", { after });
    return query.orderBy("p.id", "ASC").limit(input.limit + 1).getMany();
  });
  return toPage(rows, input.limit, toProfile);
}
