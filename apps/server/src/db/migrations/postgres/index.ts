import { InitialSchemaPostgres1733200000000 } from "./1733200000000-initial-schema.ts";
import { DirectorySyncPostgres1796324390402 } from "./1796324390402-directory-sync.ts";
import { AuditAndIdempotencyPostgres1796324429028 } from "./1796324429028-audit-and-idempotency.ts";
import { ProfileSearchTrigramPostgres1796324650000 } from "./1796324650000-profile-search-trigram.ts";

/** In order. Listed explicitly: the TypeORM CLI and tsx cannot glob .ts migrations. */
export const postgresMigrations = [
  InitialSchemaPostgres1733200000000,
  DirectorySyncPostgres1796324390402,
  AuditAndIdempotencyPostgres1796324429028,
  ProfileSearchTrigramPostgres1796324650000,
];
