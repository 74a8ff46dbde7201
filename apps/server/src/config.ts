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
  // Rate limits: requests per window, per account (by the verified token's org_id) and per client IP.
  // 0 turns one off. Counted in each server process (README, "Rate limits").
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(0).default(1200),
  RATE_LIMIT_PER_IP: z.coerce.number().int().min(0).default(3000),
  // SIGTERM: how long in-flight requests may take to finish before the process closes anyway.
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  // WorkOS (production). Setting WORKOS_CLIENT_ID switches verification from the dev key to WorkOS.
  WORKOS_CLIENT_ID: z.string().min(1).optional(),
  WORKOS_API_KEY: z.string().min(1).optional(),
  WORKOS_API_URL: z.string().url().default("https://api.workos.com"),
  WORKOS_JWKS_URL: z.string().url().optional(),
  WORKOS_ISSUERS: z.string().min(1).optional(),
  WORKOS_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  WORKOS_JWKS_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(5_000),
  WORKOS_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  WORKOS_JWKS_CACHE_MAX_AGE_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  WORKOS_WEBHOOK_SECRET: z.string().min(1).optional(),
  WORKOS_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(180),
  WORKOS_SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  WORKOS_SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(100).default(100),
  WORKOS_API_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(10_000),
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
  auth: AuthConfig;
  /** WorkOS API access (directory sync, webhooks); undefined unless WORKOS_API_KEY is set. */
  workos: WorkosApiConfig | undefined;
  publicUrl: string | undefined;
  rateLimit: RateLimitConfig;
  shutdownTimeoutMs: number;
}

/** Requests allowed per window; 0 means no limit of that kind. */
export interface RateLimitConfig {
  windowSeconds: number;
  perAccount: number;
  perIp: number;
}

/** Dev: tokens signed by a local key kept in DATA_DIR. WorkOS: tokens from WorkOS, keys from its JWKS. */
export type AuthConfig =
  | { mode: "dev"; issuer: string; keyFile: string }
  | {
      mode: "workos";
      clientId: string;
      jwksUrl: string;
      issuers: string[];
      clockToleranceSeconds: number;
      jwksTimeoutMs: number;
      jwksCooldownMs: number;
      jwksCacheMaxAgeMs: number;
    };

export interface WorkosApiConfig {
  clientId: string;
  apiKey: string;
  apiUrl: string;
  webhookSecret: string | undefined;
  webhookToleranceSeconds: number;
  /** 0: the server does not poll (run `npm run sync` from a scheduler, or rely on webhooks). */
  syncIntervalSeconds: number;
  syncPageSize: number;
  apiTimeoutMs: number;
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
    auth: authConfig(e, dataDir),
    workos: workosApiConfig(e),
    publicUrl: e.PUBLIC_URL,
    rateLimit: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      perAccount: e.RATE_LIMIT_PER_ACCOUNT,
      perIp: e.RATE_LIMIT_PER_IP,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

type Env = z.infer<typeof EnvSchema>;

const PRODUCTION_NEEDS_WORKOS =
  "NODE_ENV=production needs WorkOS: set WORKOS_CLIENT_ID (client_...) and WORKOS_API_KEY (sk_...), " +
  "and WORKOS_WEBHOOK_SECRET to receive webhooks. The dev signing key is never used in production.";

function authConfig(e: Env, dataDir: string): AuthConfig {
  if (!e.WORKOS_CLIENT_ID) {
    if (e.NODE_ENV === "production") throw new ConfigError(PRODUCTION_NEEDS_WORKOS);
    return { mode: "dev", issuer: e.DEV_TOKEN_ISSUER, keyFile: resolve(dataDir, "dev-jwt-key.json") };
  }
  const clientId = e.WORKOS_CLIENT_ID;
  const issuers = e.WORKOS_ISSUERS
    ? e.WORKOS_ISSUERS.split(",").map((issuer) => issuer.trim()).filter(Boolean)
    : [WORKOS_ISSUER_BASE, `${WORKOS_ISSUER_BASE}/user_management/${clientId}`];
  if (issuers.length === 0) throw new ConfigError("WORKOS_ISSUERS must list at least one issuer");
  return {
    mode: "workos",
    clientId,
    jwksUrl: e.WORKOS_JWKS_URL ?? `${e.WORKOS_API_URL.replace(/\/+$/, "")}/sso/jwks/${encodeURIComponent(clientId)}`,
    issuers,
    clockToleranceSeconds: e.WORKOS_CLOCK_TOLERANCE_SECONDS,
    jwksTimeoutMs: e.WORKOS_JWKS_TIMEOUT_MS,
    jwksCooldownMs: e.WORKOS_JWKS_COOLDOWN_MS,
    jwksCacheMaxAgeMs: e.WORKOS_JWKS_CACHE_MAX_AGE_MS,
  };
}

/** The issuer WorkOS writes into access tokens (older environments; newer ones append /user_management/<clientId>). */
const WORKOS_ISSUER_BASE = "https://api.workos.com";

function workosApiConfig(e: Env): WorkosApiConfig | undefined {
  if (!e.WORKOS_API_KEY) {
    if (e.NODE_ENV === "production") throw new ConfigError(PRODUCTION_NEEDS_WORKOS);
    if (e.WORKOS_WEBHOOK_SECRET) throw new ConfigError("WORKOS_WEBHOOK_SECRET needs WORKOS_API_KEY and WORKOS_CLIENT_ID");
    return undefined;
  }
  if (!e.WORKOS_CLIENT_ID) {
    throw new ConfigError("WORKOS_API_KEY is set but WORKOS_CLIENT_ID is not: set both to use WorkOS");
  }
  return {
    clientId: e.WORKOS_CLIENT_ID,
    apiKey: e.WORKOS_API_KEY,
    apiUrl: e.WORKOS_API_URL.replace(/\/+$/, ""),
    webhookSecret: e.WORKOS_WEBHOOK_SECRET,
    webhookToleranceSeconds: e.WORKOS_WEBHOOK_TOLERANCE_SECONDS,
    syncIntervalSeconds: e.WORKOS_SYNC_INTERVAL_SECONDS,
    syncPageSize: e.WORKOS_SYNC_PAGE_SIZE,
    apiTimeoutMs: e.WORKOS_API_TIMEOUT_MS,
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
