import type { AddressInfo } from "node:net";
import {
  MessageBoard,
  RefusalLog,
  type RefusalRateLimitOptions,
  SubscriptionStreams,
} from "@repo/api-router";
import {
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type Clock,
  createAccessTokenVerifier,
  createDpopPolicy,
  DpopNonces,
  type KeySetEvent,
} from "@repo/auth/server";
import { type DatabaseConfig, openDatabase } from "@repo/db";
import { listenFailure } from "@repo/env";
import type { AnyTRPCRouter } from "@trpc/server";
import {
  API_BOUNDS,
  DEFAULT_HTTP_LIMITS,
  type DpopSettings,
  type HttpLimits,
  type ShutdownTiming,
} from "./config.ts";
import { createApiServer } from "./http/api-server.ts";
import { trackConnections } from "./http/drain-server.ts";
import { describeListenAddress } from "./http/listen-address.ts";
import { resourceMetadataUrl } from "./http/protected-resource-metadata.ts";
import { readinessOf } from "./http/readiness.ts";
import type { Logger } from "./logger.ts";
import { createApiMetrics } from "./metrics/api-metrics.ts";
import {
  METRICS_LISTENER_DEFAULTS,
  type RunningMetricsServer,
  startMetricsServer,
} from "./metrics/metrics-server.ts";
import type { Tracing } from "./tracing/start-tracing.ts";
import { traceRequests } from "./tracing/trace-requests.ts";

export interface StartApiOptions {
  /** Verifier options (a verifier is built from them), or a verifier to share. */
  readonly verifier: AccessTokenVerifierOptions | AccessTokenVerifier;
  readonly log: Logger;
  /**
   * Refusal lines per reason per window (default 60 a minute), and the clock of the window; past
   * the limit refusals are counted in one `auth_refusals_suppressed` line per window.
   */
  readonly refusalLog?: RefusalRateLimitOptions;
  /**
   * Log lines dropped so far because stdout was not taking them (createApiLogger's `dropped`); with
   * metrics on, served as `api_log_lines_dropped_total`.
   */
  readonly droppedLogLines?: () => number;
  /** Default 0: an ephemeral port. */
  readonly port?: number;
  /** Default: all interfaces. */
  readonly host?: string;
  /** Fetch the key set before listening (never fails the start). Default false. */
  readonly warmKeySet?: boolean;
  /** Request bodies above this are refused with 413. Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Serve plain GET queries on the fast path (see http/fast-query-handler.ts). Default true. */
  readonly fastPath?: boolean;
  /**
   * Prometheus metrics on a listener of their own (GET /metrics); default: none. Key set fetches
   * are counted only for a verifier built here from options (a shared verifier's events go to
   * whatever `onKeySetEvent` it was created with).
   */
  readonly metrics?: { readonly port: number; readonly host?: string | undefined };
  /** HTTP limits and timeouts; each left out takes its default (API_BOUNDS in config.ts). */
  readonly limits?: Partial<HttpLimits>;
  /** A router to serve instead of the api's (tests); its context must be the api's Context. */
  readonly router?: AnyTRPCRouter;
  /**
   * Base URL clients reach the api at (behind a proxy: the proxy's). Its RFC 9728 metadata URL
   * goes into every Bearer challenge. Default: the URL the api listens on.
   */
  readonly publicUrl?: string;
  /**
   * DPoP (RFC 9449): default mode `allowed`, no nonces. Proofs name `publicUrl` in `htu` when it
   * is set, else the address a request arrived at.
   */
  readonly dpop?: DpopSettings;
  /**
   * OpenTelemetry (startTracing): a span per request, and the last spans exported at the end of
   * shutdown. Default: none (no per-request work at all).
   */
  readonly tracing?: Tracing | undefined;
  /** Subscription streams: per-subject bound (default 10), token re-check interval, clock. */
  readonly streams?: {
    readonly maxPerSubject?: number;
    /** Default 30 s. */
    readonly recheckIntervalMs?: number;
    /** Default: the system clock (tests drive @repo/auth's ManualClock). */
    readonly clock?: Clock;
  };
  /**
   * Where messages are stored (databaseConfigFromEnv in @repo/db). Default: an in-memory PGlite,
   * opened at the first message. A Postgres database is connected to in the background: the api
   * listens at once, and /readyz answers 503 until the database answers.
   */
  readonly database?: DatabaseConfig;
}

export interface RunningApi {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  readonly url: string;
  readonly port: number;
  /** Where it listens, for people: "all interfaces" for a wildcard bind, else the address. */
  readonly listeningOn: string;
  readonly verifier: AccessTokenVerifier;
  /**
   * Where /metrics is served, e.g. http://127.0.0.1:9464/metrics; undefined when metrics are off.
   * The same listener serves the readiness detail at /readyz.
   */
  readonly metricsUrl: string | undefined;
  /**
   * Shut down gracefully: /readyz answers 503 at once; requests are served as usual for
   * `delayMs` (default 0), then the listener closes, in-flight requests finish, idle keep-alive
   * connections close, and whatever still runs after `timeoutMs` (default 10 s) is cut. Called
   * again while the delay runs, it ends the delay at once (an operator's second Ctrl-C); the
   * drain and its timeout are those of the first call.
   */
  shutdown(timing?: Partial<ShutdownTiming>): Promise<void>;
  /** shutdown() with no delay. */
  /** Open subscription streams (their per-subject counts, for tests and metrics). */
  readonly streams: SubscriptionStreams;
  /** The RFC 9728 metadata URL the challenges name. */
  readonly resourceMetadataUrl: string;
  close(): Promise<void>;
}

/** The variables that move each listener, named when one cannot listen (a port in use). */
const API_VARIABLES = { port: "PORT", host: "HOST" } as const;
const METRICS_VARIABLES = { port: "METRICS_PORT", host: "METRICS_HOST" } as const;

/**
 * Start the api's HTTP server and resolve once it listens.
 * @throws ConfigurationError (from @repo/env) naming PORT/HOST or METRICS_PORT/METRICS_HOST when a
 *   listener's port is in use or not allowed, or its interface does not exist.
 */
export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { log } = options;
  const metrics = options.metrics === undefined ? undefined : createApiMetrics();
  const logEvent = logKeySetEvent(log);
  const onKeySetEvent: (event: KeySetEvent) => void =
    metrics === undefined
      ? logEvent
      : (event) => {
          logEvent(event);
          metrics.onKeySetEvent(event);
        };
  const ownsVerifier = !("verify" in options.verifier);
  const verifier =
    "verify" in options.verifier
      ? options.verifier
      : createAccessTokenVerifier({ onKeySetEvent, ...options.verifier });
  metrics?.observeVerifier(verifier);
  if (options.droppedLogLines !== undefined) metrics?.observeLogDrops(options.droppedLogLines);
  if (options.warmKeySet === true) {
    const loaded = await verifier.keySet.warm();
    if (!loaded)
      log.warn(
        { event: "key_set_warm_failed", jwksUri: verifier.keySet.jwksUri },
        "could not load signing keys at start; retrying in the background",
      );
  } else {
    // Readiness waits on the key set, and an unready instance gets no traffic: the first fetch
    // cannot wait for a request.
    verifier.keySet.start();
  }
  let shuttingDown = false;
  const streams = new SubscriptionStreams({
    maxPerSubject: options.streams?.maxPerSubject ?? API_BOUNDS.maxStreamsPerSubject.default,
    recheckIntervalMs: options.streams?.recheckIntervalMs,
    clockToleranceMs: verifier.options.clockToleranceSeconds * 1000,
    clock: options.streams?.clock,
  });
  const refusalLog = new RefusalLog(log, options.refusalLog);
  const messages = createMessageBoard(
    options.database ?? { kind: "pglite", dataDir: undefined },
    log,
  );
  const { clock } = verifier.options;
  const nonceSettings = options.dpop?.nonces;
  const dpop = createDpopPolicy({
    mode: options.dpop?.mode ?? "allowed",
    clock,
    nonces:
      nonceSettings === undefined
        ? undefined
        : new DpopNonces({
            now: () => clock.now(),
            key: nonceSettings.secret === undefined ? undefined : Buffer.from(nonceSettings.secret),
          }),
  });
  // Known once listening when it is derived from the port; read per request, hence the getter.
  let metadataUrl = options.publicUrl === undefined ? "" : resourceMetadataUrl(options.publicUrl);
  const server = createApiServer({
    verifier,
    log,
    refusalLog,
    streams,
    messages,
    dpop,
    publicUrl: options.publicUrl?.replace(/\/+$/, ""),
    // Read per refusal: derived from the port, it is known only once listening.
    resourceMetadataUrl: () => (metadataUrl === "" ? undefined : metadataUrl),
    maxBodyBytes: options.maxBodyBytes ?? 65_536,
    limits: { ...DEFAULT_HTTP_LIMITS, ...options.limits },
    fastPath: options.fastPath ?? true,
    onAuthRefused: metrics?.onAuthRefused,
    ...(options.router === undefined ? {} : { router: options.router }),
    shuttingDown: () => shuttingDown,
  });
  // First in line, so that it sees every request before the api's handler answers it.
  if (metrics !== undefined) server.prependListener("request", metrics.observeRequest);
  if (options.tracing !== undefined) traceRequests(server, options.tracing.tracer);
  const drain = trackConnections(server);
  let metricsServer: RunningMetricsServer | undefined;
  if (metrics !== undefined && options.metrics !== undefined) {
    const { port, host } = options.metrics;
    metricsServer = await startMetricsServer({
      registry: metrics.registry,
      port,
      host,
      readiness: () => readinessOf(verifier.keySet.status(), shuttingDown, messages.status()),
    }).catch(async (error: unknown) => {
      if (ownsVerifier) verifier.keySet.close();
      await messages.close();
      throw listenFailure(error, METRICS_VARIABLES, port, host ?? METRICS_LISTENER_DEFAULTS.host);
    });
  }
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await metricsServer?.close();
    if (ownsVerifier) verifier.keySet.close();
    await messages.close();
    throw listenFailure(error, API_VARIABLES, options.port ?? 0, options.host);
  }
  const bound = server.address() as AddressInfo;
  const { url, listeningOn } = describeListenAddress(bound);
  if (metadataUrl === "") metadataUrl = resourceMetadataUrl(url);
  let stopping: Promise<void> | undefined;
  let cutDelay: () => void = () => {};
  const delayCut = new Promise<void>((resolve) => {
    cutDelay = resolve;
  });
  const shutdown = (timing: Partial<ShutdownTiming> = {}) => {
    if (stopping !== undefined) {
      cutDelay();
      return stopping;
    }
    shuttingDown = true;
    const delayMs = timing.delayMs ?? 0;
    // Open streams would hold the drain until its timeout: once the delay is over they end (with
    // 503, so their clients reconnect to another instance).
    const closeStreams = setTimeout(() => streams.closeAll(), delayMs);
    closeStreams.unref();
    void delayCut.then(() => {
      clearTimeout(closeStreams);
      streams.closeAll();
    });
    stopping = drain(
      {
        delayMs,
        timeoutMs: timing.timeoutMs ?? 10_000,
      },
      delayCut,
    ).then(async () => {
      // Background refreshes end with the server; a shared verifier is its owner's to close.
      if (ownsVerifier) verifier.keySet.close();
      // What the refusal limit left out is counted before the last lines.
      refusalLog.close();
      // Streams are closed and requests drained: nothing uses the database any more.
      await messages.close();
      // Metrics go on being served while the api drains, then stop.
      await metricsServer?.close();
      // Last, so that the drained requests' spans go too (bounded in time, never rejects).
      await options.tracing?.shutdown();
    });
    return stopping;
  };
  return {
    url,
    port: bound.port,
    listeningOn,
    verifier,
    metricsUrl: metricsServer?.url,
    streams,
    resourceMetadataUrl: metadataUrl,
    shutdown,
    close: () => shutdown(),
  };
}

/**
 * The message board on `database`: Postgres is started at once (migrated when configured), PGlite
 * at the first message (most api instances tests start never touch one).
 */
function createMessageBoard(database: DatabaseConfig, log: Logger): MessageBoard {
  return new MessageBoard({
    open: () =>
      openDatabase(database, {
        onDataDirInUse: (dataDir, holderPid) =>
          log.warn(
            { event: "database_dir_in_use", dataDir, holderPid },
            "another process holds the PGlite folder; messages are kept in memory",
          ),
      }),
    migrate: database.kind === "pglite" || database.migrateAtStart,
    lazy: database.kind === "pglite",
    log,
  });
}

/** Key set refreshes at debug, failures at warn with their cause (docs/operations.md). */
export function logKeySetEvent(log: Logger): (event: KeySetEvent) => void {
  return (event) => {
    if (event.type === "key_set_refreshed")
      log.info({ event: event.type, ...event, type: undefined }, "signing keys refreshed");
    else log.warn({ event: event.type, ...event, type: undefined }, "signing key refresh failed");
  };
}
