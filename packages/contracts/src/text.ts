import { z } from "zod";

/**
 * Text the databases can hold exactly as sent: well-formed Unicode (every UTF-16 surrogate in a pair)
 * without NUL. PostgreSQL's text type cannot store U+0000 at all, and a lone surrogate has no UTF-8
 * form, so either would come back changed or fail the write; refusing them here makes both dialects
 * answer the same 400 before any query runs. Written to hold with and without the regex `u` flag, so
 * the pattern in the OpenAPI document means the same to validators that use it.
 */
export const STORABLE_TEXT_PATTERN = /^(?:[^\u0000\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;
export const STORABLE_TEXT_MESSAGE = "must be valid Unicode text without NUL characters";

/** True when `value` passes `storableText`: for callers that must decide without a schema. */
export function isStorableText(value: string): boolean {
  return STORABLE_TEXT_PATTERN.test(value);
}

/**
 * `value` made storable for text the server takes from elsewhere (WorkOS directory names) rather than
 * refuses: NUL dropped, a lone surrogate replaced by U+FFFD.
 */
export function toStorableText(value: string): string {
  if (isStorableText(value)) return value;
  return value.replace(/\u0000/g, "").replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/** A string schema restricted to storable text. */
export function storableText(schema: z.ZodString = z.string()): z.ZodString {
  return schema.regex(STORABLE_TEXT_PATTERN, { message: STORABLE_TEXT_MESSAGE });
}
