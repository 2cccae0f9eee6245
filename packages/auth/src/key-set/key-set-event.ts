import type { IgnoredKey } from "./usable-keys.ts";

/**
 * What started a fetch: the first request (`cold`), `warm()`/`start()`, a set past its max age
 * (by a request or the background timer), a token naming an unknown `kid`, or the background
 * retry after a failure.
 */
export type RefreshTrigger = "cold" | "warm" | "max_age" | "unknown_kid" | "retry";

export type KeySetEvent =
  | {
      readonly type: "key_set_refreshed";
      readonly trigger: RefreshTrigger;
      readonly kids: readonly string[];
      /** Keys added and removed, by kid (or `#thumbprint` for a key without one). */
      readonly added: readonly string[];
      readonly removed: readonly string[];
      readonly ignored: readonly IgnoredKey[];
      /** How long the fetch took, from its start to the new set in place (for metrics). */
      readonly durationMs: number;
    }
  | {
      readonly type: "key_set_refresh_failed";
      readonly trigger: RefreshTrigger;
      readonly error: string;
      readonly consecutiveFailures: number;
      readonly nextAttemptInMs: number;
      /** True when requests go on being served from the last good set. */
      readonly servingLastGoodSet: boolean;
      /** How long the failed attempt took, timeouts included (for metrics). */
      readonly durationMs: number;
    };

export interface KeySetStatus {
  /** fresh: younger than max age; stale: being refreshed, still used; expired: past max-stale. */
  readonly state: "empty" | "fresh" | "stale" | "expired";
  readonly ready: boolean;
  readonly kids: readonly string[];
  /** Usable keys in the set (keys without a kid included). */
  readonly keys: number;
  readonly ageMs: number | undefined;
  readonly consecutiveFailures: number;
  /** Why the last fetch failed; undefined once one succeeds. */
  readonly lastError: string | undefined;
  /** When not ready: what happened, in words fit for a readiness answer. */
  readonly reason: string | undefined;
  /** When the next background fetch is due, if one is scheduled. */
  readonly nextAttemptInMs: number | undefined;
}
