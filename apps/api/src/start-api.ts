import type { AddressInfo } from "node:net";
import {
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
  type KeySetEvent,
} from "@repo/auth/server";
import { API_BOUNDS } from "./config.ts";
import { createApiServer } from "./http/api-server.ts";
import { resourceMetadataUrl } from "./http/protected-resource-metadata.ts";
import type { Logger } from "./logger.ts";
import { MessageBoard } from "./messages/message-board.ts";
import type { StreamClock } from "./subscriptions/stream-clock.ts";
import { SubscriptionStreams } from "./subscriptions/subscription-streams.ts";

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
   * Base URL clients reach the api at (behind a proxy: the proxy's). Its RFC 9728 metadata URL
   * goes into every Bearer challenge. Default: the URL the api listens on.
   */
  readonly publicUrl?: string;
  /** Subscription streams: per-subject bound (default 10), token re-check interval, clock. */
  readonly streams?: {
    readonly maxPerSubject?: number;
    /** Default 30 s. */
    readonly recheckIntervalMs?: number;
    /** Default: the system clock (tests drive a manual one). */
    readonly clock?: StreamClock;
  };
}

export interface RunningApi {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  readonly url: string;
  readonly port: number;
  readonly verifier: AccessTokenVerifier;
  /** Open subscription streams (their per-subject counts, for tests and metrics). */
  readonly streams: SubscriptionStreams;
  /** The RFC 9728 metadata URL the challenges name. */
  readonly resourceMetadataUrl: string;
  /** Stop accepting connections and wait for in-flight requests (idle keep-alives are closed). */
  close(): Promise<void>;
}

/** Start the api's HTTP server and resolve once it listens. */
export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { log } = options;
  const verifier =
    "verify" in options.verifier
      ? options.verifier
      : createAccessTokenVerifier({ onKeySetEvent: logKeySetEvent(log), ...options.verifier });
  if (options.warmKeySet === true) {
    const loaded = await verifier.keySet.warm();
    if (!loaded)
      log.warn(
        { event: "key_set_warm_failed", jwksUri: verifier.keySet.jwksUri },
        "could not load signing keys at start; will retry on demand",
      );
  }
  const streams = new SubscriptionStreams({
    maxPerSubject: options.streams?.maxPerSubject ?? API_BOUNDS.maxStreamsPerSubject.default,
    recheckIntervalMs: options.streams?.recheckIntervalMs,
    clockToleranceMs: verifier.options.clockToleranceSeconds * 1000,
    clock: options.streams?.clock,
  });
  // Known once listening when it is derived from the port; read per request, hence the getter.
  let metadataUrl = options.publicUrl === undefined ? "" : resourceMetadataUrl(options.publicUrl);
  const server = createApiServer({
    verifier,
    log,
    streams,
    messages: new MessageBoard(),
    get resourceMetadataUrl() {
      return metadataUrl === "" ? undefined : metadataUrl;
    },
    maxBodyBytes: options.maxBodyBytes ?? 65_536,
    fastPath: options.fastPath ?? true,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port, address, family } = server.address() as AddressInfo;
  const host =
    family === "IPv6"
      ? address === "::"
        ? "localhost"
        : `[${address}]`
      : address === "0.0.0.0"
        ? "localhost"
        : address;
  const url = `http://${host}:${port}`;
  if (metadataUrl === "") metadataUrl = resourceMetadataUrl(url);
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    verifier,
    streams,
    resourceMetadataUrl: metadataUrl,
    close() {
      closing ??= new Promise<void>((resolve) => {
        // Open streams would hold the server open until the grace period: end them first.
        streams.closeAll();
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after a grace period are cut rather than holding the process.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
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
