import { parseArgs } from "node:util";
import { loadOrCreateDevKey } from "../auth/dev-keys.ts";
import { signDevToken } from "../auth/tokens.ts";
import { loadConfig } from "../config.ts";

/**
 * npm run --silent token -- --org ORG --user USER [--role admin|member] [--email E] [--name N] [--expires-in S]
 * Prints a dev-mode token signed with DATA_DIR's key, and nothing else on stdout.
 */
const usage =
  "usage: npm run --silent token -- --org ORG --user USER [--role admin|member] [--email E] [--name N] [--expires-in SECONDS]";

async function main() {
  const { values } = parseArgs({
    options: {
      org: { type: "string" },
      user: { type: "string" },
      role: { type: "string", default: "admin" },
      email: { type: "string" },
      name: { type: "string" },
      "expires-in": { type: "string", default: "3600" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.error(usage);
    return;
  }
  const expiresIn = Number(values["expires-in"]);
  if (!values.org || !values.user || !Number.isInteger(expiresIn)) {
    console.error(usage);
    process.exit(2);
  }
  const config = loadConfig();
  if (config.auth.mode !== "dev") {
    console.error("WORKOS_CLIENT_ID is set: tokens come from WorkOS, and dev tokens are not accepted.");
    process.exit(2);
  }
  const key = await loadOrCreateDevKey(config.auth.keyFile);
  const token = await signDevToken(key, {
    issuer: config.auth.issuer,
    organizationId: values.org,
    userId: values.user,
    role: values.role,
    email: values.email,
    name: values.name,
    expiresInSeconds: expiresIn,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
