import { InitialSchemaSqlite1733200000000 } from "./1733200000000-initial-schema.ts";
import { DirectorySyncSqlite1796324390402 } from "./1796324390402-directory-sync.ts";
import { AuditAndIdempotencySqlite1796324429028 } from "./1796324429028-audit-and-idempotency.ts";
import { ProfileSearchTrigramSqlite1796324650000 } from "./1796324650000-profile-search-trigram.ts";
import { ProfileSearchOrderSqlite1796400000000 } from "./1796400000000-profile-search-order.ts";

/** In order. Listed explicitly: the TypeORM CLI and tsx cannot glob .ts migrations. */
export const sqliteMigrations = [
  InitialSchemaSqlite1733200000000,
  DirectorySyncSqlite1796324390402,
  AuditAndIdempotencySqlite1796324429028,
  ProfileSearchTrigramSqlite1796324650000,
  ProfileSearchOrderSqlite1796400000000,
];
