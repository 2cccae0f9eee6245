import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDotEnv } from "@repo/auth";
import { clientConfigFromEnv } from "./client-config.ts";
import { formatFailure } from "./format-failure.ts";
import { runClient } from "./run-client.ts";

// The working directory's .env and the repo root's (walking up from this file); what the
// environment already holds wins.
loadDotEnv();
loadDotEnv(dirname(fileURLToPath(import.meta.url)));

const output = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`client: ${line}\n`),
};

try {
  process.exitCode = await runClient(clientConfigFromEnv(process.env), output);
} catch (error) {
  // Configuration errors, or a bug: one line, no stack trace.
  output.err(formatFailure(error));
  process.exitCode = 1;
}
