import type { KeySetEvent, KeySetStatus } from "@repo/auth/server";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

const STATES = [
  "empty",
  "fresh",
  "stale",
  "expired",
] as const satisfies readonly KeySetStatus["state"][];

/** Upper bounds in seconds, up to the largest fetch timeout allowed (120 s). */
const FETCH_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Why a fetch failed, as a label: a small fixed set (the event's text is for logs). */
export type FetchFailureReason =
  | "timeout"
  | "http_status"
  | "invalid_response"
  | "no_usable_key"
  | "network";

/**
 * The class of a failed fetch, from the event's error text (the messages remote-key-set.ts writes,
 * listed in docs/operations.md). Anything not recognised is a network error: fetch's own failures
 * ("fetch failed (ECONNREFUSED)") are the only other source.
 */
export function fetchFailureReason(error: string): FetchFailureReason {
  if (error.includes("timed out")) return "timeout";
  if (error.startsWith("JWKS endpoint answered HTTP")) return "http_status";
  if (error.startsWith("JWKS response")) return "invalid_response";
  if (error.startsWith("key set")) return "no_usable_key";
  return "network";
}

/**
 * Key set fetches (counted and timed from the key set's events) and its state (read at scrape time
 * from `status()`). Returns the event listener to pass as the verifier's `onKeySetEvent`; call
 * `observe` once the key set exists.
 */
export function keySetMetrics(registry: Registry): {
  readonly onKeySetEvent: (event: KeySetEvent) => void;
  observe(status: () => KeySetStatus, maxStaleMs: number): void;
} {
  const fetches = new Counter({
    name: "auth_key_set_fetches_total",
    help: "JWKS fetches by trigger (cold, max_age, unknown_kid, warm), outcome (ok, failed) and failure reason (none when ok)",
    labelNames: ["trigger", "outcome", "reason"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "auth_key_set_fetch_duration_seconds",
    help: "Duration of JWKS fetches, timeouts included, by outcome",
    labelNames: ["outcome"] as const,
    buckets: FETCH_BUCKETS,
    registers: [registry],
  });
  const onKeySetEvent = (event: KeySetEvent): void => {
    const ok = event.type === "key_set_refreshed";
    const outcome = ok ? "ok" : "failed";
    const reason = ok ? "none" : fetchFailureReason(event.error);
    fetches.inc({ trigger: event.trigger, outcome, reason });
    duration.observe({ outcome }, event.durationMs / 1000);
  };

  function observe(status: () => KeySetStatus, maxStaleMs: number): void {
    new Gauge({
      name: "auth_key_set_age_seconds",
      help: "Age of the key set in use, in seconds; 0 while none is loaded (see auth_key_set_state)",
      registers: [registry],
      collect() {
        // Not NaN for "none loaded": Prometheus reserves NaN for arithmetic results
        // (prom-client #168); the state gauge says "empty" unambiguously.
        this.set((status().ageMs ?? 0) / 1000);
      },
    });
    new Gauge({
      name: "auth_key_set_max_stale_seconds",
      help: "Configured max-stale: past this age the key set is no longer used (AUTHACTION_JWKS_MAX_STALE_MS)",
      registers: [registry],
      collect() {
        this.set(maxStaleMs / 1000);
      },
    });
    new Gauge({
      name: "auth_key_set_state",
      help: "1 for the key set's current state (empty, fresh, stale, expired), 0 for the others",
      labelNames: ["state"] as const,
      registers: [registry],
      collect() {
        const { state } = status();
        for (const s of STATES) this.set({ state: s }, s === state ? 1 : 0);
      },
    });
    new Gauge({
      name: "auth_key_set_keys",
      help: "Usable signing keys in the key set",
      registers: [registry],
      collect() {
        this.set(status().kids.length);
      },
    });
    new Gauge({
      name: "auth_key_set_consecutive_failures",
      help: "Failed fetches since the last successful one",
      registers: [registry],
      collect() {
        this.set(status().consecutiveFailures);
      },
    });
  }

  return { onKeySetEvent, observe };
}
