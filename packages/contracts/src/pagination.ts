import { z } from "zod";

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

/**
 * Query parameters shared by every list. Values arrive as strings over REST and as numbers over tRPC,
 * so `limit` is coerced explicitly; a value outside 1..100 is a 400, never silently clamped.
 */
export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(PAGE_SIZE_MAX)
    .default(PAGE_SIZE_DEFAULT)
    .meta({ description: `Page size, 1-${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT})` }),
  cursor: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .meta({ description: "The `nextCursor` of the previous page; omit for the first page" }),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** The envelope of every list: items in a stable order, and where to continue. */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      data: z.array(item),
      hasMore: z.boolean(),
      nextCursor: z
        .string()
        .nullable()
        .meta({ description: "Pass as `cursor` to get the next page; null on the last page" }),
    })
    .meta({ id });
}
