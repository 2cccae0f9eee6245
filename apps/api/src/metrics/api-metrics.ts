import type { IncomingMessage, ServerResponse } from "node:http";
import type { AccessTokenVerifier, AuthErrorCode, KeySetEvent } from "@repo/auth/server";
import { collectDefaultMetrics, Registry } from "prom-client";
import { httpMetrics } from "./http-metrics.ts";
import { keySetMetrics } from "./key-set-metrics.ts";
import { logMetrics } from "./log-metrics.ts";
import { refusalMetrics } from "./refusal-metrics.ts";
import { tokenCacheMetrics } from "./token-cache-metrics.ts";

/**
 * The api's Prometheus metrics and the hooks that feed them. It only observes: every hook is a
 * counter increment, and everything else is read when /metrics is scraped.
 */
export interface ApiMetrics {
  /** Its own registry (not prom-client's global one), so several apis can run in one process. */
  readonly registry: Registry;
  /** A `request` listener to run before the api's handler: counts and times each response. */
  readonly observeRequest: (req: IncomingMessage, res: ServerResponse) => void;
  /** Called once per refused request with the AuthError code. */
  readonly onAuthRefused: (reason: AuthErrorCode) => void;
  /** The verifier's `onKeySetEvent`: counts and times key set fetches. */
  readonly onKeySetEvent: (event: KeySetEvent) => void;
  /** Read the verifier's cache counters and its key set's state at every scrape. Call once. */
  observeVerifier(verifier: AccessTokenVerifier): void;
  /** Read the logger's count of dropped lines at every scrape. Call at most once. */
  observeLogDrops(dropped: () => number): void;
}

/** Create the metrics of one api instance, with prom-client's default process metrics. */
export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const keySet = keySetMetrics(registry);
  return {
    registry,
    observeRequest: httpMetrics(registry),
    onAuthRefused: refusalMetrics(registry),
    onKeySetEvent: keySet.onKeySetEvent,
    observeVerifier(verifier) {
      tokenCacheMetrics(registry, () => verifier.stats());
      keySet.observe(() => verifier.keySet.status(), verifier.options.keySet.maxStaleMs);
    },
    observeLogDrops(dropped) {
      logMetrics(registry, dropped);
    },
  };
}
