import { InitialSchemaSqlite1733200000000 } from "./1733200000000-initial-schema.ts";
import { DirectorySyncSqlite1796324390402 } from "./1796324390402-directory-sync.ts";

/** In order. Listed explicitly: the TypeORM CLI and tsx cannot glob .ts migrations. */
export const sqliteMigrations = [InitialSchemaSqlite1733200000000, DirectorySyncSqlite1796324390402];
