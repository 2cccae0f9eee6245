import { exitOnConfigurationError, loadDotEnv } from "@repo/env";
import { clientConfigFromEnv } from "./client-config.ts";
import { formatFailure } from "./format-failure.ts";
import { runClient } from "./run-client.ts";

const config = exitOnConfigurationError("client", () => {
  loadDotEnv();
  return clientConfigFromEnv(process.env);
});

if (config.localIssuerNotice !== undefined) {
  process.stderr.write(`client: ${config.localIssuerNotice}\n`);
}

const output = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`client: ${line}\n`),
};

try {
  process.exitCode = await runClient(config, output);
} catch (error) {
  // A bug: one line, no stack trace.
  output.err(formatFailure(error));
  process.exitCode = 1;
}
