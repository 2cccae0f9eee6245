import { databaseConfigFromEnv } from "@repo/db";
import { exitOnConfigurationError, exitOnConfigurationErrorAsync, loadDotEnv } from "@repo/env";
import { apiConfigFromEnv } from "./config.ts";
import { type ApiLogger, createApiLogger } from "./logger.ts";
import { startApi } from "./start-api.ts";
import { startTracing } from "./tracing/start-tracing.ts";

/**
 * The last log lines go out before the exit, unless stdout takes nothing for this long (a stopped
 * log reader must not keep the process from exiting).
 */
const LOG_END_TIMEOUT_MS = 2_000;

export interface RunApiOptions {
  /**
   * Makes the logger for the configured level. Default createApiLogger: JSON lines written in the
   * background, what production runs. The development entry (dev.ts) passes readable lines.
   */
  readonly createLogger?: (level: string) => ApiLogger;
}

/**
 * The api as a process: configuration from the environment (and .env), stopping the process with
 * one line on a bad one; the server; SIGTERM and SIGINT shut it down gracefully and exit 0 once
 * the logs are written.
 */
export async function runApi(options: RunApiOptions = {}): Promise<void> {
  const config = exitOnConfigurationError("api", () => {
    loadDotEnv();
    // The tenant first: its errors are the ones a first run meets.
    const api = apiConfigFromEnv(process.env);
    return { ...api, database: databaseConfigFromEnv(process.env) };
  });

  const logger = (options.createLogger ?? createApiLogger)(config.logLevel);
  const { log } = logger;
  const tracing = exitOnConfigurationError("api", () => startTracing(log));
  if (config.localIssuerNotice !== undefined) {
    log.info({ event: "local_issuer" }, config.localIssuerNotice);
  }
  if (config.dpop.nonces !== undefined && config.dpop.nonces.secret === undefined) {
    log.warn(
      { event: "dpop_nonce_key_random" },
      "DPoP nonces use a random key made at start: with several replicas set AUTHACTION_DPOP_NONCE_SECRET, the same on each",
    );
  }

  function exitAfterLogs(code: number): void {
    void logger.end(LOG_END_TIMEOUT_MS).then(() => process.exit(code));
  }

  // Signal handlers first: a signal arriving before they exist would kill the process outright.
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) {
        // With no delay there is nothing to end: under `tsx watch` (pnpm dev) one Ctrl-C arrives
        // twice, from the terminal and relayed by tsx.
        if (config.shutdown.delayMs === 0) return;
        // A second signal (Ctrl-C twice, or an operator who cannot wait): stop serving now and
        // drain; in-flight requests still finish within the shutdown timeout.
        log.info({ event: "shutdown_hurried", signal }, "second signal: ending the shutdown delay");
        void api?.shutdown();
        return;
      }
      stopping = true;
      log.info(
        { event: "shutdown", signal, ...config.shutdown },
        "shutting down: readiness is 503; serving until the delay ends, then draining",
      );
      const done = api?.shutdown(config.shutdown) ?? Promise.resolve();
      done.then(
        () => {
          log.info({ event: "stopped" }, "stopped");
          exitAfterLogs(0);
        },
        (error: unknown) => {
          log.error({ event: "shutdown_failed", err: error }, "shutdown failed");
          exitAfterLogs(1);
        },
      );
    });
  }

  // A port in use (or an interface this machine lacks) is one line naming the variable, exit 1.
  api = await exitOnConfigurationErrorAsync("api", () =>
    startApi({
      verifier: config.verifier,
      log,
      droppedLogLines: logger.dropped,
      refusalLog: { linesPerReason: config.logRefusalsPerMinute },
      port: config.port,
      host: config.host,
      warmKeySet: config.warmKeySet,
      maxBodyBytes: config.maxBodyBytes,
      metrics: config.metrics,
      limits: config.http,
      streams: { maxPerSubject: config.maxStreamsPerSubject },
      tracing,
      database: config.database,
      dpop: config.dpop,
      ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
    }),
  );
  const { issuers, audiences, jwksUri } = api.verifier.options;
  log.info(
    {
      event: "listening",
      url: api.url,
      listeningOn: api.listeningOn,
      metricsUrl: api.metricsUrl,
      issuers,
      audiences,
      jwksUri,
      resourceMetadata: api.resourceMetadataUrl,
      limits: config.http,
    },
    `api listening on ${api.listeningOn} (${api.url})`,
  );
}
