import { exitOnConfigurationError, loadDotEnv } from "@repo/env";
import { clientConfigFromEnv } from "./client-config.ts";
import { sanitizedOutput } from "./client-output.ts";
import { formatFailure } from "./format-failure.ts";
import { runClient } from "./run-client.ts";

const config = exitOnConfigurationError("client", () => {
  loadDotEnv();
  return clientConfigFromEnv(process.env);
});

if (config.localIssuerNotice !== undefined) {
  process.stderr.write(`client: ${config.localIssuerNotice}\n`);
}

// Every line printed goes through here: whatever a server sent is made printable and the secret
// is redacted, whichever path produced the line.
const output = sanitizedOutput(
  {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`client: ${line}\n`),
  },
  config.credentials.clientSecret === undefined ? [] : [config.credentials.clientSecret],
);

try {
  process.exitCode = await runClient(config, output);
} catch (error) {
  // A bug: one line, no stack trace.
  output.err(formatFailure(error));
  process.exitCode = 1;
}
