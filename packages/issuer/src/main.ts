/**
 * CLI entry point of the local issuer. NOT FOR PRODUCTION.
 * Configuration comes from the environment (and the repository's `.env`); see README.md.
 */
import { ConfigurationError, exitOnConfigurationError, listenFailure, loadDotEnv } from "@repo/env";
import { issuerConfigFromEnv } from "./issuer-env.ts";
import { startIssuerServer } from "./local-issuer.ts";
import type { LocalIssuer } from "./local-issuer-types.ts";
import { exposureWarning, startupBanner } from "./startup-banner.ts";

const config = exitOnConfigurationError("issuer", () => {
  loadDotEnv();
  return issuerConfigFromEnv(process.env);
});

// Signal handlers first: one arriving before they exist (just after the banner, on a busy machine)
// would end the process by the signal, which pnpm reports as a failure. Every signal is handled,
// not only the first: under `tsx watch` (pnpm dev) Ctrl-C arrives twice (from the terminal and
// relayed by tsx), and an unhandled second one would end the process while it closes.
let issuer: LocalIssuer | undefined;
let closing = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (closing) return;
  closing = true;
  console.log(`[issuer] ${signal}: closing`);
  void (issuer?.close() ?? Promise.resolve()).then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);

try {
  issuer = await startIssuerServer(
    {
      port: config.port,
      host: config.host,
      issuer: config.issuer,
      audiences: config.audiences,
      clients: config.clients,
      tokenLifetimeSeconds: config.tokenLifetimeSeconds,
      dpopNonce: config.dpopNonce,
      log: (line) => console.log(`[issuer] ${line}`),
    },
    { admin: config.admin },
  );
  console.log(startupBanner(issuer, config));
  const warning = exposureWarning(config);
  if (warning !== undefined) console.warn(warning);
} catch (error) {
  // A port in use and the like: one line naming the variable that moves it, as for configuration.
  const failure = listenFailure(
    error,
    { port: "ISSUER_PORT", host: "ISSUER_HOST" },
    config.port,
    config.host,
  );
  console.error(
    failure instanceof ConfigurationError
      ? `issuer: configuration error: ${failure.message}`
      : `issuer: could not start: ${error instanceof Error ? error.message : error}`,
  );
  process.exit(1);
}
