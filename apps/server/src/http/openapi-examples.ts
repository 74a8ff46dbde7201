/**
 * Example values built from JSON Schemas, so that every operation of the document carries an example
 * without one being written by hand per operation. Schema `example`s (ids, timestamps) win; otherwise a
 * plausible value of the right type. A test parses every generated example with the contract schema.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, unknown>;

export function exampleOf(schema: unknown, components: Record<string, unknown>, propertyName = "", depth = 0, component = ""): Json {
  if (depth > 12 || typeof schema !== "object" || schema === null) return null;
  const s = schema as Schema;
  if (typeof s.$ref === "string") {
    const name = s.$ref.replace("#/components/schemas/", "");
    return exampleOf(components[name], components, propertyName, depth + 1, name);
  }
  if ("example" in s) return s.example as Json;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0] as Json;
  if ("default" in s && s.default !== undefined) return s.default as Json;
  if ("const" in s) return s.const as Json;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0] as Json;
  const variants = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(variants)) {
    // Prefer the non-null branch: `string | null` shows a string.
    const nonNull = variants.find((v) => (v as Schema).type !== "null") ?? variants[0];
    return exampleOf(nonNull, components, propertyName, depth + 1, component);
  }
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== "null") as string | undefined) : (s.type as string | undefined);
  switch (type) {
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const out: Record<string, Json> = {};
      for (const [key, value] of Object.entries(properties)) out[key] = exampleOf(value, components, key, depth + 1, component);
      return out;
    }
    case "array":
      return [exampleOf(s.items, components, propertyName, depth + 1, component)];
    case "boolean":
      // `hasMore: true` goes with the non-null `nextCursor` shown beside it.
      return propertyName === "hasMore";
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? s.minimum : 1;
    case "string":
      return stringExample(s, component === "Workspace" ? propertyName : (PERSON_STRINGS[propertyName] ?? propertyName));
    default:
      return null;
  }
}

const NAMED_STRINGS: Record<string, string> = {
  name: "Design team",
  personName: "Ada Lovelace",
  email: "ada@example.com",
  description: "Everyone working on the product's design",
  message: "Human-readable explanation",
  nextCursor: "eyJpZCI6IndzXzAxSkQ4WjZWNVRRM1IyUDFOME05SzhKN0g2In0",
  cursor: "eyJpZCI6IndzXzAxSkQ4WjZWNVRRM1IyUDFOME05SzhKN0g2In0",
  query: "ada",
};

// Outside a Workspace, a `name` is a person's.
const PERSON_STRINGS: Record<string, string> = { name: "personName" };

function stringExample(s: Schema, propertyName: string): string {
  if (s.format === "date-time") return "2026-01-31T12:00:00.000Z";
  if (s.format === "email") return "ada@example.com";
  const named = NAMED_STRINGS[propertyName];
  const minLength = typeof s.minLength === "number" ? s.minLength : 0;
  const maxLength = typeof s.maxLength === "number" ? s.maxLength : Infinity;
  if (named && named.length >= minLength && named.length <= maxLength) return named;
  return "x".repeat(Math.max(1, minLength));
}
