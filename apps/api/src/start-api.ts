import type { AddressInfo } from "node:net";
import {
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
  type KeySetEvent,
} from "@repo/auth/server";
import { createApiServer } from "./http/api-server.ts";
import type { Logger } from "./logger.ts";
import { createApiMetrics } from "./metrics/api-metrics.ts";
import { type RunningMetricsServer, startMetricsServer } from "./metrics/metrics-server.ts";

export interface StartApiOptions {
  /** Verifier options (a verifier is built from them), or a verifier to share. */
  readonly verifier: AccessTokenVerifierOptions | AccessTokenVerifier;
  readonly log: Logger;
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
}

export interface RunningApi {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  readonly url: string;
  readonly port: number;
  readonly verifier: AccessTokenVerifier;
  /** Where /metrics is served, e.g. http://127.0.0.1:9464/metrics; undefined when metrics are off. */
  readonly metricsUrl: string | undefined;
  /** Stop accepting connections and wait for in-flight requests (idle keep-alives are closed). */
  close(): Promise<void>;
}

/** Start the api's HTTP server and resolve once it listens. */
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
  const server = createApiServer({
    verifier,
    log,
    maxBodyBytes: options.maxBodyBytes ?? 65_536,
    fastPath: options.fastPath ?? true,
    onAuthRefused: metrics?.onAuthRefused,
  });
  // First in line, so that it sees every request before the api's handler answers it.
  if (metrics !== undefined) server.prependListener("request", metrics.observeRequest);
  let metricsServer: RunningMetricsServer | undefined;
  if (metrics !== undefined && options.metrics !== undefined) {
    metricsServer = await startMetricsServer({ registry: metrics.registry, ...options.metrics });
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
    throw error;
  }
  const { port, address, family } = server.address() as AddressInfo;
  const host =
    family === "IPv6"
      ? address === "::"
        ? "localhost"
        : `[${address}]`
      : address === "0.0.0.0"
        ? "localhost"
        : address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    verifier,
    metricsUrl: metricsServer?.url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          // Background refreshes end with the server; a shared verifier is its owner's to close.
          if (ownsVerifier) verifier.keySet.close();
          resolve();
        });
        server.closeIdleConnections();
        // Requests still running after a grace period are cut rather than holding the process.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      })
        // Metrics go on being served while the api drains, then stop.
        .then(() => metricsServer?.close());
      return closing;
    },
  };
}

/** Key set refreshes at debug, failures at warn with their cause (docs/operations.md). */
export function logKeySetEvent(log: Logger): (event: KeySetEvent) => void {
  return (event) => {
    if (event.type === "key_set_refreshed")
      log.info({ event: event.type, ...event, type: undefined }, "signing keys refreshed");
    else log.warn({ event: event.type, ...event, type: undefined }, "signing key refresh failed");
  };
}
