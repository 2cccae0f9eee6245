import { ConfigurationError, loadDotEnv } from "@repo/auth";
import { apiConfigFromEnv } from "./config.ts";
import { createLogger } from "./logger.ts";
import { startApi } from "./start-api.ts";

loadDotEnv();
let config: ReturnType<typeof apiConfigFromEnv>;
try {
  config = apiConfigFromEnv(process.env);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  process.stderr.write(`api: configuration error: ${error.message}\n`);
  process.exit(1);
}

const log = createLogger(config.logLevel);
// Signal handlers first: a signal arriving before they exist would kill the process outright.
let api: Awaited<ReturnType<typeof startApi>> | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log.info({ event: "shutdown", signal }, "shutting down");
    void (api?.close() ?? Promise.resolve()).then(() => process.exit(0));
  });
}

api = await startApi({
  verifier: config.verifier,
  log,
  port: config.port,
  host: config.host,
  warmKeySet: config.warmKeySet,
  maxBodyBytes: config.maxBodyBytes,
});
const { issuers, audiences, jwksUri } = api.verifier.options;
log.info(
  { event: "listening", url: api.url, issuers, audiences, jwksUri },
  `api listening on ${api.url}`,
);
