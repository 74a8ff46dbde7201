import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../src/db/database.ts";
import type { QueryRunner } from "typeorm";
import { newId } from "../../src/db/ids.ts";
import {
  PROFILES_ROWID_INVERSIONS,
  ProfileSearchOrderSqlite1796400000000,
} from "../../src/db/migrations/sqlite/1796400000000-profile-search-order.ts";
import {
  findProfilesBySubstring,
  ROWID_ORDERED_SQL,
  SEARCH_TRIGRAM_IN_ROWID_ORDER_SQL,
  SEARCH_TRIGRAM_SQL,
  WINDOW_ROWS,
} from "../../src/db/profile-search-sqlite.ts";
import { escapeLike, foldCase, profileSearchKey } from "../../src/db/text-keys.ts";

/**
 * The two-step SQLite search (bounded window, then the trigram index) must answer exactly what a plain
 * LIKE scan answers, in the same order, page by page, whichever step finds the rows. The account is
 * larger than the window so that rare terms take the trigram step.
 */
let dir: string;
let db: Database;
const ACCOUNT = "acct_01JD8Z6V5TQ3R2P1N0M9K8J7H6";
const OTHER = "acct_01JD8Z6V5TQ3R2P1N0M9K8J7H7";
const PROFILES = WINDOW_ROWS * 2;

const NAMES = ["Björn Ström", "Sophie Müller", "Hans Großstraße", "ΟΔΥΣΣΕΑΣ Λαέρτιος", "Иван Петров", "Ada Lovelace"];

async function insertProfile(accountId: string, name: string, email: string) {
  const now = new Date().toISOString();
  await db.write((manager) =>
    manager.query(
      `INSERT INTO profiles (id, account_id, workos_user_id, email, email_key, name, search_key, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [newId("profile"), accountId, `user_${newId("profile")}`, email, foldCase(email), name, profileSearchKey(name, email), now, now],
    ),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "profile-search-test-"));
  db = await Database.open({ dialect: "sqlite", file: join(dir, "search.sqlite") });
  await db.write((manager) =>
    manager.query(`INSERT INTO accounts (id, workos_organization_id, created_at) VALUES (?, 'org_a', ''), (?, 'org_b', '')`, [
      ACCOUNT,
      OTHER,
    ]),
  );
  for (let i = 0; i < PROFILES; i++) {
    // Rare needles sit late, beyond the window; "100%" and "_" are literal characters.
    const needle = i === PROFILES - 5 ? " 100% Discount_Team" : i % 500 === 499 ? " Rarename" : "";
    await insertProfile(ACCOUNT, `${NAMES[i % NAMES.length]}${needle}`, `person.${i}@example.test`);
  }
  await insertProfile(OTHER, "Rarename Elsewhere", "rarename@other.test");
  await insertProfile(ACCOUNT, "Rarename Removed", "removed@example.test");
  await db.write((manager) => manager.query(`UPDATE profiles SET removed_at = ? WHERE email = 'removed@example.test'`, [
    new Date().toISOString(),
  ]));
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every match of `term` in the account, by id: the plain scan the index must agree with. */
async function reference(term: string): Promise<string[]> {
  const rows = await db.read((manager) =>
    manager.query(
      `SELECT id FROM profiles WHERE account_id = ? AND removed_at IS NULL AND search_key LIKE ? ESCAPE '\\'
       ORDER BY id`,
      [ACCOUNT, `%${escapeLike(foldCase(term))}%`],
    ),
  );
  return (rows as { id: string }[]).map((row) => row.id);
}

async function allPages(term: string, pageSize: number): Promise<string[]> {
  const found: string[] = [];
  let after: string | undefined;
  for (;;) {
    const rows = await db.read((manager) =>
      findProfilesBySubstring<{ id: string }>((sql, params) => manager.query(sql, params), {
        accountId: ACCOUNT,
        term: foldCase(term),
        after,
        rows: pageSize + 1,
      }),
    );
    const page = rows.slice(0, pageSize);
    found.push(...page.map((row) => row.id));
    if (rows.length <= pageSize) return found;
    after = page.at(-1)!.id;
  }
}

describe("SQLite profile search", () => {
  it.each([
    ["a common term", "ström", 20],
    ["a rare term, found by the trigram step", "rarename", 20],
    ["a rare term, a page at a time", "rarename", 3],
    ["literal % and _", "100% discount_team", 20],
    ["a literal _ that is no wildcard", "0_d", 20],
    ["case folding in another alphabet", "ΛΑΈΡΤΙΟΣ", 50],
    ["ß folded to ss", "GROSSSTRASSE", 100],
    ["a term with no match", "nobody-here", 20],
    ["a two-character term (no trigram)", "ma", 100],
  ])("answers exactly the matches of a scan, in order, for %s", async (_label, term, pageSize) => {
    const expected = await reference(term);
    expect(await allPages(term, pageSize)).toEqual(expected);
  });

  it("has rare terms that need the trigram step and common ones the window answers", async () => {
    expect((await reference("rarename")).length).toBe(PROFILES / 500);
    expect((await reference("ström")).length).toBeGreaterThan(WINDOW_ROWS / 10);
  });

  it("follows a profile's changes: the index is kept in step by triggers", async () => {
    const [id] = await reference("lovelace");
    await db.write((manager) =>
      manager.query(`UPDATE profiles SET name = 'Grace Hopper', search_key = ? WHERE id = ?`, [
        profileSearchKey("Grace Hopper", "renamed@example.test"),
        id,
      ]),
    );
    expect(await allPages("renamed@example", 20)).toEqual([id]);
    expect(await allPages("lovelace", 1000)).not.toContain(id);
    expect(await allPages("lovelace", 1000)).toEqual(await reference("lovelace"));
  });

  it("never answers another account's profiles", async () => {
    const ids = await allPages("elsewhere", 20);
    expect(ids).toEqual([]);
  });

  it("leaves out profiles removed by directory sync", async () => {
    expect(await allPages("rarename removed", 20)).toEqual([]);
    expect(await allPages("rarename", 20)).toEqual(await reference("rarename"));
  });
});

describe("SQLite profile search in rowid order", () => {
  /** Runs one search and says which trigram query it used. */
  async function searchWithPlan(term: string) {
    const ran: string[] = [];
    const rows = await db.read((manager) =>
      findProfilesBySubstring<{ id: string }>(
        (sql, params) => {
          ran.push(sql);
          return manager.query(sql, params);
        },
        { accountId: ACCOUNT, term: foldCase(term), after: undefined, rows: 21 },
      ),
    );
    const plan = ran.includes(SEARCH_TRIGRAM_IN_ROWID_ORDER_SQL) ? "rowid order" : ran.includes(SEARCH_TRIGRAM_SQL) ? "collect and sort" : "window";
    return { ids: rows.map((row) => row.id), plan };
  }

  const ordered = async () =>
    ((await db.read((manager) => manager.query(ROWID_ORDERED_SQL))) as { ordered: number }[])[0]?.ordered;

  it("reads the index in id order, stopping at the page, while rowids follow ids", async () => {
    expect(await ordered()).toBe(1);
    const { ids, plan } = await searchWithPlan("rarename");
    expect(plan).toBe("rowid order");
    expect(ids).toEqual((await reference("rarename")).slice(0, 21));
  });

  it("renumbers rows into id order in its migration, and rebuilds the index", async () => {
    const other = await Database.open({ dialect: "sqlite", file: join(dir, "renumber.sqlite") });
    try {
      await other.write(async (manager) => {
        await manager.query(`INSERT INTO accounts (id, workos_organization_id, created_at) VALUES (?, 'org_r', '')`, [ACCOUNT]);
        // As before the migration: no state, no trigger, and rows whose rowids run against their ids.
        await manager.query("DROP TRIGGER tr_profiles_search_order");
        await manager.query("DROP TABLE profile_search_state");
        const ids = Array.from({ length: 50 }, () => newId("profile"));
        for (const [i, id] of ids.reverse().entries()) {
          const name = i % 7 === 0 ? "Needle Person" : "Someone Else";
          await manager.query(
            `INSERT INTO profiles (id, account_id, workos_user_id, email, email_key, name, search_key, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, '', '')`,
            [id, ACCOUNT, `user_${i}`, `p${i}@x.test`, `p${i}@x.test`, name, profileSearchKey(name, `p${i}@x.test`)],
          );
        }
        expect((await manager.query(PROFILES_ROWID_INVERSIONS))[0].n).toBeGreaterThan(0);
        await new ProfileSearchOrderSqlite1796400000000().up(manager as unknown as QueryRunner);
        expect((await manager.query(PROFILES_ROWID_INVERSIONS))[0].n).toBe(0);
        expect((await manager.query(ROWID_ORDERED_SQL))[0].ordered).toBe(1);
        const expected = (
          (await manager.query(`SELECT id FROM profiles WHERE search_key LIKE '%needle%' ORDER BY id`)) as { id: string }[]
        ).map((row) => row.id);
        const found = (await findProfilesBySubstring<{ id: string }>((sql, params) => manager.query(sql, params), {
          accountId: ACCOUNT,
          term: "needle",
          after: undefined,
          rows: 100,
        })) as { id: string }[];
        expect(found.map((row) => row.id)).toEqual(expected);
        expect(expected).toHaveLength(8);
      });
    } finally {
      await other.close();
    }
  });

  // Last: it leaves the shared database out of order.
  it("falls back to collecting every match, still exact, once a profile arrives out of id order", async () => {
    const now = new Date().toISOString();
    // A ULID of 2010: older than every id here (ulid() itself never goes back in time).
    const older = "prof_01ASB2XFCZJY7WHZ2FNRTMQJCT";
    await db.write((manager) =>
      manager.query(
        `INSERT INTO profiles (id, account_id, workos_user_id, email, email_key, name, search_key, created_at, updated_at)
         VALUES (?, ?, 'user_late', 'late@example.test', 'late@example.test', 'Rarename Late', ?, ?, ?)`,
        [older, ACCOUNT, profileSearchKey("Rarename Late", "late@example.test"), now, now],
      ),
    );
    expect(await ordered()).toBe(0);
    const { ids, plan } = await searchWithPlan("rarename");
    expect(plan).toBe("collect and sort");
    expect(ids[0]).toBe(older);
    expect(ids).toEqual((await reference("rarename")).slice(0, 21));
    expect(await allPages("rarename", 3)).toEqual(await reference("rarename"));
  });
});
