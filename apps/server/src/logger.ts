import { pino, type Logger } from "pino";
import type { Config } from "./config.ts";

export type { Logger };

/** Structured JSON logs on stdout (stderr for CLIs, whose stdout is their answer). */
export function createLogger(config: Pick<Config, "logLevel">, destination: 1 | 2 = 1): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: "workspace-admin" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ["req.headers.authorization", "authorization"], censor: "[redacted]" },
    },
    pino.destination({ dest: destination, sync: destination === 2 }),
  );
}
