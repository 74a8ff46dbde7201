import { parseArgs, type ParseArgsConfig } from "node:util";
import { createWorkspaceAdminClient, type WorkspaceAdminClient, WorkspaceAdminError } from "@workspace-admin/client";
import { type Command, commands, findCommand, usageOf } from "./commands.ts";
import { renderTable } from "./render.ts";

export interface Io {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress redraws one line on a terminal and prints lines otherwise. */
  stderrIsTTY?: boolean;
}

export const DEFAULT_URL = "http://127.0.0.1:3000";
const MAX_PAGES = 100_000;

class UsageError extends Error {}

const GLOBAL_OPTIONS = {
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

export function helpText(): string {
  const lines = commands.map((command) => `  ${command.words.join(" ").padEnd(20)} ${command.summary}`);
  return [
    "usage: workspace-admin <resource> <command> [arguments] [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    `  --url <url>      the server (env WORKSPACE_ADMIN_URL, default ${DEFAULT_URL})`,
    "  --token <jwt>    an admin bearer token (env WORKSPACE_ADMIN_TOKEN)",
    "  --json           print the API's JSON answer instead of a table",
    "  --all            on lists: fetch every page (progress on stderr)",
    "  -h, --help       this help, or a command's usage: workspace-admin workspaces create --help",
    "",
  ].join("\n");
}

/** The first two words that are neither options nor option values select the command. */
function commandWords(argv: string[]): string[] {
  const valueFlags = new Set(["--url", "--token", "--idempotency-key", "--if-match", ...commands.flatMap((c) => c.options.filter((o) => !o.boolean).map((o) => `--${o.flag}`))]);
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const arg = argv[i]!;
    if (arg.startsWith("-")) {
      if (valueFlags.has(arg)) i++;
      continue;
    }
    words.push(arg);
  }
  return words;
}

function parseCommandArgs(command: Command, argv: string[]) {
  const options: NonNullable<ParseArgsConfig["options"]> = { ...GLOBAL_OPTIONS };
  for (const option of command.options) options[option.flag] = { type: option.boolean ? "boolean" : "string" };
  if (command.paged) options.all = { type: "boolean" };
  if (command.contract.method !== "GET") options["idempotency-key"] = { type: "string" };
  if (command.contract.ifMatch) options["if-match"] = { type: "string" };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const args = parsed.positionals.slice(2);
  if (args.length > command.positionals.length) throw new UsageError(`unexpected argument: ${args[command.positionals.length]}`);

  const input: Record<string, unknown> = {};
  command.positionals.forEach((positional, i) => {
    const field = positional.replace(/\?$/, "");
    if (args[i] !== undefined) input[field] = args[i];
    else if (!positional.endsWith("?")) throw new UsageError(`missing argument <${field}>`);
  });
  for (const option of command.options) {
    const value = values[option.flag];
    if (value === undefined) continue;
    input[option.field] = option.boolean ? String(value) : value;
  }
  for (const field of command.required) {
    if (input[field] === undefined) throw new UsageError(`missing ${field}`);
  }
  return { values, input };
}

/** Per-call headers of a mutation (see WorkspaceAdminCallContext): `--idempotency-key`, `--if-match`. */
interface CallContext {
  idempotencyKey?: string;
  ifMatch?: string;
}

async function call(client: WorkspaceAdminClient, command: Command, input: Record<string, unknown>, context: CallContext = {}): Promise<unknown> {
  const [namespace, name] = command.operation.split(".") as [string, string];
  type Procedure = Record<string, (input: unknown, options?: { context: CallContext }) => Promise<unknown>>;
  const procedure = (client as unknown as Record<string, Record<string, Procedure>>)[namespace]![name]!;
  return command.contract.method === "GET" ? procedure.query!(input) : procedure.mutate!(input, { context });
}

interface Page {
  data: Record<string, unknown>[];
  hasMore: boolean;
  nextCursor: string | null;
}

async function fetchAll(client: WorkspaceAdminClient, command: Command, input: Record<string, unknown>, io: Io): Promise<Page> {
  const data: Record<string, unknown>[] = [];
  let cursor = input.cursor as string | undefined;
  const progress = (text: string) => io.stderr(io.stderrIsTTY ? `\r${text}` : `${text}\n`);
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = (await call(client, command, { ...input, cursor })) as Page;
    data.push(...answer.data);
    progress(`Fetched ${data.length} ${command.words[0]} (page ${page}${answer.hasMore ? ", more to come" : ", done"})`);
    if (!answer.hasMore || !answer.nextCursor) break;
    cursor = answer.nextCursor;
  }
  if (io.stderrIsTTY) io.stderr("\n");
  return { data, hasMore: false, nextCursor: null };
}

/** Runs one command line; answers the exit code (0 ok, 1 the API or the network said no, 2 usage). */
export async function run(argv: string[], io: Io): Promise<number> {
  const words = commandWords(argv);
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  if (words.length === 0) {
    (wantsHelp ? io.stdout : io.stderr)(helpText());
    return wantsHelp ? 0 : 2;
  }
  const command = findCommand(words);
  if (!command) {
    io.stderr(`workspace-admin: unknown command "${words.join(" ")}"\n\n${helpText()}`);
    return 2;
  }
  if (wantsHelp) {
    io.stdout(`${command.summary}\n\nusage: ${usageOf(command)}\n`);
    return 0;
  }
  try {
    const { values, input } = parseCommandArgs(command, argv);
    const url = (values.url as string | undefined) ?? io.env.WORKSPACE_ADMIN_URL ?? DEFAULT_URL;
    const token = (values.token as string | undefined) ?? io.env.WORKSPACE_ADMIN_TOKEN;
    if (!token) throw new UsageError("no token: pass --token or set WORKSPACE_ADMIN_TOKEN (in development: npm run --silent token -- --org ORG --user USER)");
    const client = createWorkspaceAdminClient({ url, token, batch: false });

    const context: CallContext = {};
    if (typeof values["idempotency-key"] === "string") context.idempotencyKey = values["idempotency-key"];
    if (typeof values["if-match"] === "string") context.ifMatch = values["if-match"];
    const result = values.all ? await fetchAll(client, command, input, io) : await call(client, command, input, context);
    if (values.json) {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    } else if (command.paged) {
      const page = result as Page;
      io.stdout(renderTable(page.data, command.columns));
      if (page.hasMore) io.stderr(`More results: add --cursor ${page.nextCursor}, or --all for every page\n`);
    } else {
      io.stdout(renderTable([result as Record<string, unknown>], command.columns));
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`workspace-admin: ${error.message}\nusage: ${usageOf(command)}\n`);
      return 2;
    }
    if (error instanceof WorkspaceAdminError) {
      io.stderr(error.code ? `Error (${error.code}): ${error.message}\n` : `Error: cannot reach the server: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
