import { InitialSchemaSqlite1733200000000 } from "./1733200000000-initial-schema.ts";

/** In order. Listed explicitly: the TypeORM CLI and tsx cannot glob .ts migrations. */
export const sqliteMigrations = [InitialSchemaSqlite1733200000000];
