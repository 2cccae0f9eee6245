/**
 * CLI entry point of the local issuer. NOT FOR PRODUCTION.
 * Configuration comes from the environment (and `.env` files); see README.md.
 */
import { parseIssuerEnv } from "./issuer-env.ts";
import { loadEnvFiles } from "./load-env-files.ts";
import { startIssuerServer } from "./local-issuer.ts";
import { startupBanner } from "./startup-banner.ts";

loadEnvFiles();
const env = parseIssuerEnv(process.env);
if (!env.ok) {
  console.error(env.message);
  process.exit(1);
}
const { config } = env;

try {
  const issuer = await startIssuerServer(
    {
      port: config.port,
      host: config.host,
      issuer: config.issuer,
      audiences: config.audiences,
      clients: config.clients,
      tokenLifetimeSeconds: config.tokenLifetimeSeconds,
      log: (line) => console.log(`[issuer] ${line}`),
    },
    { admin: config.admin },
  );
  console.log(startupBanner(issuer, config.clients, config.admin));

  const shutdown = (signal: NodeJS.Signals) => {
    console.log(`[issuer] ${signal}: closing`);
    void issuer.close().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  // EADDRINUSE and the like: one line, no stack, as for configuration errors.
  console.error(`Could not start the issuer: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
