import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { Database } from "../../src/db/database.ts";
import { AccountEntity } from "../../src/db/entities.ts";
import { createTestDatabase, type TestDatabase } from "../support/index.ts";

// The Database class itself, on the database of this run. Units here wait on the event loop between
// statements, as a unit does whenever it awaits anything but the database: that is when two requests'
// transactions could interleave on SQLite's single shared connection.

let dataDir: string;
let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "workspace-admin-db-"));
  database = await createTestDatabase(dataDir);
  db = await Database.open(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: database.url }).database);
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const insertAccount = (manager: Parameters<Parameters<Database["write"]>[0]>[0], id: string) =>
  manager.createQueryBuilder().insert().into(AccountEntity).values({ id, workosOrganizationId: id, createdAt: "2026-01-01T00:00:00.000Z" }).execute();

describe("write units", () => {
  it("never interleave: 40 concurrent units that pause mid-transaction, half failing, keep exactly the others' rows", async () => {
    const prefix = `unit_${Math.random().toString(36).slice(2, 8)}`;
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        db.write(async (manager) => {
          await insertAccount(manager, `${prefix}_${i}_a`);
          await sleep(2);
          await insertAccount(manager, `${prefix}_${i}_b`);
          if (i % 2) throw new Error(`unit ${i} gives up`);
          return i;
        }),
      ),
    );
    // Every failure is the unit's own, never "cannot start a transaction within a transaction".
    const reasons = results.flatMap((r, i) => (r.status === "rejected" ? [[i, String(r.reason)]] : []));
    expect(reasons).toEqual(Array.from({ length: 20 }, (_, k) => [2 * k + 1, `Error: unit ${2 * k + 1} gives up`]));
    const rows = await db.read((manager) =>
      manager.createQueryBuilder(AccountEntity, "a").where("a.id LIKE :prefix", { prefix: `${prefix}%` }).getMany(),
    );
    const expected = Array.from({ length: 20 }, (_, k) => [`${prefix}_${2 * k}_a`, `${prefix}_${2 * k}_b`]).flat();
    expect(rows.map((r) => r.id).sort()).toEqual(expected.sort());
  });

  it("are isolated: a read during an open unit never sees its uncommitted row", async () => {
    const id = `unit_${Math.random().toString(36).slice(2, 8)}`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const writer = db.write(async (manager) => {
      await insertAccount(manager, id);
      await held;
    });
    await sleep(20);
    let readDone = false;
    const outside = db
      .read((manager) => manager.createQueryBuilder(AccountEntity, "a").where("a.id = :id", { id }).getOne())
      .finally(() => (readDone = true));
    await sleep(50);
    if (db.dialect === "sqlite") {
      // One shared connection: the read waits for the unit to end, then sees its committed row.
      expect(readDone).toBe(false);
      release();
      await writer;
      expect((await outside)?.id).toBe(id);
    } else {
      // A connection of its own: the read answers at once, without the uncommitted row.
      expect(readDone).toBe(true);
      expect(await outside).toBeNull();
      release();
      await writer;
    }
  });
});

describe("migrations", () => {
  it("run again find nothing pending, also from several callers at once", async () => {
    const applied = await Promise.all([db.migrate(), db.migrate(), db.migrate()]);
    expect(applied).toEqual([[], [], []]);
  });
});
