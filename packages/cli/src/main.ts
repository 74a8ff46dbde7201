import { run } from "./run.ts";

/** The `workspace-admin` executable (bin/workspace-admin.js loads this through tsx). */
const code = await run(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY,
}).catch((error: unknown) => {
  console.error(error);
  return 1;
});
process.exitCode = code;
