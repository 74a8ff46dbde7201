import { resolve } from "node:path";
import { z } from "zod";

/**
 * The environment, read and validated once at start. Everything else receives a `Config`;
 * nothing else reads `process.env`.
 */
const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z.string().min(1).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DEV_TOKEN_ISSUER: z.string().min(1).default("urn:workspace-admin:dev"),
  PUBLIC_URL: z.string().url().optional(),
});

export type DatabaseConfig =
  | { dialect: "sqlite"; file: string }
  | { dialect: "postgres"; url: string; poolSize: number; statementTimeoutMs: number };

export interface Config {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  dataDir: string;
  database: DatabaseConfig;
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  auth: { mode: "dev"; issuer: string; keyFile: string };
  publicUrl: string | undefined;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    database: databaseConfig(e.DATABASE_URL, dataDir, e.DATABASE_POOL_SIZE, e.DATABASE_STATEMENT_TIMEOUT_MS),
    logLevel: e.LOG_LEVEL,
    auth: { mode: "dev", issuer: e.DEV_TOKEN_ISSUER, keyFile: resolve(dataDir, "dev-jwt-key.json") },
    publicUrl: e.PUBLIC_URL,
  };
}

function databaseConfig(
  url: string | undefined,
  dataDir: string,
  poolSize: number,
  statementTimeoutMs: number,
): DatabaseConfig {
  if (!url) return { dialect: "sqlite", file: resolve(dataDir, "workspace-admin.sqlite") };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: "postgres", url, poolSize, statementTimeoutMs };
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (!file) throw new ConfigError("DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/app.sqlite");
    return { dialect: "sqlite", file: file === ":memory:" ? file : resolve(file) };
  }
  throw new ConfigError("DATABASE_URL must start with postgres://, postgresql:// or sqlite:");
}
