import { exitOnConfigurationError, loadDotEnv } from "@repo/env";
import { apiConfigFromEnv } from "./config.ts";
import { createLogger } from "./logger.ts";
import { startApi } from "./start-api.ts";

const config = exitOnConfigurationError("api", () => {
  loadDotEnv();
  return apiConfigFromEnv(process.env);
});

const log = createLogger(config.logLevel);
if (config.localIssuerNotice !== undefined) {
  log.info({ event: "local_issuer" }, config.localIssuerNotice);
}
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
