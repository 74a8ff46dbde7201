import { type EndpointContract, type EndpointName, endpoints } from "@workspace-admin/client";

/**
 * The CLI's commands, derived from the contracts' endpoint table: operation `ns.verb` is the command
 * `ns verb`, its path parameters are positional arguments and every other input field is an option
 * (`--include-archived`, `--limit 10`). A new row in the table is a new command with nothing written
 * here; the overrides below only make some commands read better (a name as an argument, `rename`).
 */
export interface Command {
  /** The words that select the command: ["workspaces", "list"]. */
  words: [string, string];
  operation: EndpointName;
  contract: EndpointContract;
  /** Input fields taken as positional arguments, in order. Optional ones end with "?". */
  positionals: string[];
  /** Input fields given as `--kebab-case` options. */
  options: { field: string; flag: string; boolean: boolean }[];
  /** Fields the command requires even though the contract has them optional (rename needs a name). */
  required: string[];
  /** Preferred table columns, in order (others follow). */
  columns: string[];
  summary: string;
  /** Lists (outputs with `nextCursor`) can fetch every page with --all. */
  paged: boolean;
}

interface Override {
  words?: [string, string];
  positionals?: string[];
  required?: string[];
  summary?: string;
}

const OVERRIDES: Partial<Record<EndpointName, Override>> = {
  "workspaces.create": { positionals: ["name"] },
  "workspaces.update": { words: ["workspaces", "rename"], positionals: ["workspaceId", "name"], required: ["name"], summary: "Rename a workspace (--description changes its description)" },
  "members.add": { positionals: ["workspaceId", "profileId"] },
  "profiles.search": { positionals: ["query?"] },
};

const COLUMNS: Partial<Record<string, string[]>> = {
  Workspaces: ["id", "name", "description", "archivedAt", "createdAt"],
  Members: ["profileId", "name", "email", "addedAt", "actorId"],
  Profiles: ["id", "name", "email", "createdAt"],
  Audit: ["occurredAt", "action", "targetId", "workspaceId", "actorProfileId", "changes"],
};

const kebab = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A field whose only values are "true" and "false" becomes a flag (`--include-archived`). */
function isBooleanField(schema: unknown): boolean {
  const field = schema as { safeParse(value: unknown): { success: boolean } };
  return field.safeParse("true").success && field.safeParse("false").success && !field.safeParse("maybe").success;
}

function buildCommands(): Command[] {
  return (Object.entries(endpoints) as [EndpointName, EndpointContract][]).map(([operation, contract]) => {
    const override = OVERRIDES[operation] ?? {};
    const [namespace = operation, verb = operation] = operation.split(".");
    const pathParams = [...contract.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
    const positionals = override.positionals ?? pathParams;
    const positionalFields = new Set(positionals.map((p) => p.replace(/\?$/, "")));
    const shape = (contract.input as unknown as { shape: Record<string, unknown> }).shape;
    const options = Object.entries(shape)
      .filter(([field]) => !positionalFields.has(field))
      .map(([field, schema]) => ({ field, flag: kebab(field), boolean: isBooleanField(schema) }));
    const outputShape = (contract.output as unknown as { shape?: Record<string, unknown> }).shape ?? {};
    return {
      words: override.words ?? [namespace, verb],
      operation,
      contract,
      positionals,
      options,
      required: override.required ?? [],
      columns: COLUMNS[contract.tag] ?? [],
      summary: override.summary ?? contract.summary,
      paged: "nextCursor" in outputShape && "data" in outputShape,
    };
  });
}

export const commands: Command[] = buildCommands();

export function findCommand(words: string[]): Command | undefined {
  return commands.find((command) => command.words[0] === words[0] && command.words[1] === words[1]);
}

export function usageOf(command: Command): string {
  const args = command.positionals.map((p) => (p.endsWith("?") ? `[${p.slice(0, -1)}]` : `<${p}>`));
  const options = command.options.map((o) => (o.boolean ? `[--${o.flag}]` : `[--${o.flag} <${o.field}>]`));
  if (command.paged) options.push("[--all]");
  if (command.contract.ifMatch) options.push("[--if-match <etag>]");
  if (command.contract.method !== "GET") options.push("[--idempotency-key <key>]");
  return ["workspace-admin", ...command.words, ...args, ...options].join(" ");
}
