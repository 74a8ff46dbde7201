import { z } from "zod";

/** ISO-8601 UTC timestamps with milliseconds, the same string over REST and tRPC. */
export const Timestamp = z.iso.datetime().meta({ example: "2026-01-31T12:00:00.000Z" });
