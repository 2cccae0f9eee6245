import { errors, type JWSHeaderParameters } from "jose";
import { type Clock, type Fetch, globalFetch, systemClock } from "../clock.ts";
import { AuthError } from "../errors.ts";
import { fetchJwks } from "./fetch-jwks.ts";
import type { KeySetEvent, KeySetStatus, RefreshTrigger } from "./key-set-event.ts";
import { DEFAULT_KEY_SET_POLICY, type KeySetPolicy } from "./key-set-policy.ts";
import { buildKeySnapshot, type KeySnapshot, type ResolvedKey } from "./key-snapshot.ts";
import { screenKeys } from "./usable-keys.ts";

export type { KeySetEvent, KeySetStatus, RefreshTrigger } from "./key-set-event.ts";
export {
  DEFAULT_KEY_SET_POLICY,
  KEY_SET_POLICY_BOUNDS,
  type KeySetPolicy,
} from "./key-set-policy.ts";
export type { ResolvedKey } from "./key-snapshot.ts";

/** Failed refreshes back off exponentially from the cooldown up to this bound. */
const MAX_BACKOFF_MS = 60_000;

export interface RemoteKeySetOptions {
  /** Refresh policy and response limits; see KeySetPolicy for defaults. */
  readonly policy?: Partial<KeySetPolicy>;
  /** Told about refreshes and their failures. A callback that throws or rejects is ignored. */
  readonly onEvent?: (event: KeySetEvent) => void;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: the global fetch. */
  readonly fetch?: Fetch;
}

/**
 * A JWKS fetched from the authorization server and kept in memory.
 *
 * Why not jose's createRemoteJWKSet: once older than its max age it makes requests wait on the
 * refetch and fails them when the JWKS host is down (no stale fallback), and it refuses a newly
 * rotated key for 30 s after any fetch. Here key selection is still jose's (createLocalJWKSet),
 * wrapped in a cache that:
 * - shares one fetch among concurrent callers (a cold burst makes one request);
 * - once loaded, refreshes itself in the background at max age, and after a failure retries with
 *   exponential backoff, without waiting for traffic: an instance that is not ready receives no
 *   traffic, so readiness must recover on its own;
 * - serves a set past its max age at once while a refresh runs, and keeps the last good set through
 *   failures (error status, timeout, redirect, oversized or bad body, empty set) until max-stale;
 * - refetches for an unknown `kid` at most once per cooldown, so a flood of random `kid`s is at
 *   most one request per cooldown and a rotated-in key is accepted within one cooldown;
 * - names every key by its RFC 7638 thumbprint, so a cache can tell whether the exact key that
 *   verified a token is still published.
 * Background work never rejects and no callback can make it: see `#emit`.
 */
export class RemoteKeySet {
  readonly #uri: string;
  readonly #policy: KeySetPolicy;
  readonly #onEvent: (event: KeySetEvent) => void;
  readonly #clock: Clock;
  readonly #fetch: Fetch;
  readonly #closed = new AbortController();
  #snapshot: KeySnapshot | undefined;
  #inflight: Promise<void> | undefined;
  #nextAttemptAt = 0;
  #failures = 0;
  #lastError: string | undefined;
  #attempted = false;
  #cancelTimer: (() => void) | undefined;
  #timerDueAt: number | undefined;

  constructor(jwksUri: string, options: RemoteKeySetOptions = {}) {
    this.#uri = jwksUri;
    this.#policy = { ...DEFAULT_KEY_SET_POLICY, ...options.policy };
    this.#onEvent = options.onEvent ?? (() => {});
    this.#clock = options.clock ?? systemClock;
    this.#fetch = options.fetch ?? globalFetch;
  }

  get jwksUri(): string {
    return this.#uri;
  }

  /** The key for a token's protected header (jose's key-function contract), with its thumbprint. */
  async resolve(header: JWSHeaderParameters): Promise<ResolvedKey> {
    const snapshot = await this.#usableOrFetch();
    try {
      return await snapshot.select(header);
    } catch (error) {
      const kid = header.kid;
      const unknownKid =
        error instanceof errors.JWKSNoMatchingKey &&
        typeof kid === "string" &&
        !snapshot.hasKid(kid);
      if (!unknownKid) throw error;
      // The key may have been rotated in since the last fetch.
      if (this.#inflight !== undefined) await this.#inflight;
      else if (this.#clock.now() >= this.#nextAttemptAt) await this.#refresh("unknown_kid");
      else throw error;
      const next = this.#usable(this.#clock.now());
      if (next === undefined || next === snapshot) throw error;
      return next.select(header);
    }
  }

  /**
   * Whether the key with this RFC 7638 thumbprint is in the set, and the set is still usable at
   * `now` (by default, the key set's clock now; a caller that has just read the same clock passes
   * its reading, which saves a second one on the verified-token cache's hot path).
   */
  holds(thumbprint: string, now: number = this.#clock.now()): boolean {
    return this.#usable(now)?.thumbprints.has(thumbprint) ?? false;
  }

  status(): KeySetStatus {
    const now = this.#clock.now();
    const snapshot = this.#snapshot;
    const base = {
      consecutiveFailures: this.#failures,
      lastError: this.#lastError,
      nextAttemptInMs: this.#timerDueAt === undefined ? undefined : this.#timerDueAt - now,
    };
    if (snapshot === undefined) {
      return {
        ...base,
        state: "empty",
        ready: false,
        kids: [],
        keys: 0,
        ageMs: undefined,
        reason: this.#notLoadedReason(),
      };
    }
    const ageMs = now - snapshot.fetchedAt;
    const state =
      ageMs >= this.#policy.maxStaleMs
        ? "expired"
        : ageMs >= this.#policy.maxAgeMs
          ? "stale"
          : "fresh";
    return {
      ...base,
      state,
      ready: state !== "expired",
      kids: snapshot.kids,
      keys: snapshot.thumbprints.size,
      ageMs,
      reason: state === "expired" ? this.#expiredReason() : undefined,
    };
  }

  /**
   * Fetch the set now unless a fetch is already running (then wait for that one). Resolves to
   * whether a usable set is loaded afterwards; never rejects. From then on the set keeps itself
   * fresh in the background until close(). Meant for warming at start.
   */
  async warm(): Promise<boolean> {
    await (this.#inflight ?? this.#refresh("warm"));
    return this.#usable(this.#clock.now()) !== undefined;
  }

  /** Like warm() without waiting: start fetching and keeping the set fresh in the background. */
  start(): void {
    if (this.#closed.signal.aborted || this.#inflight !== undefined) return;
    if (this.#snapshot === undefined && this.#timerDueAt === undefined) {
      void this.#refresh("warm");
    }
  }

  /** Stop background refreshes and abort a fetch in flight. Requests may still trigger fetches. */
  close(): void {
    this.#closed.abort();
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerDueAt = undefined;
  }

  async #usableOrFetch(): Promise<KeySnapshot> {
    const now = this.#clock.now();
    const snapshot = this.#usable(now);
    if (snapshot !== undefined) {
      if (
        now - snapshot.fetchedAt >= this.#policy.maxAgeMs &&
        this.#inflight === undefined &&
        now >= this.#nextAttemptAt
      ) {
        // Stale-while-revalidate: this request goes on with the set it can already use. (The
        // background timer normally got there first; this covers a timer delayed by a busy loop.)
        void this.#refresh("max_age");
      }
      return snapshot;
    }
    if (this.#inflight !== undefined) await this.#inflight;
    else if (now >= this.#nextAttemptAt) await this.#refresh("cold");
    const loaded = this.#usable(this.#clock.now());
    if (loaded === undefined) {
      throw new AuthError("key_set_unavailable", "Signing keys are unavailable; try again later", {
        cause: this.#lastError,
      });
    }
    return loaded;
  }

  #usable(now: number): KeySnapshot | undefined {
    const snapshot = this.#snapshot;
    if (snapshot === undefined || now - snapshot.fetchedAt >= this.#policy.maxStaleMs) {
      return undefined;
    }
    return snapshot;
  }

  /** Never rejects: every outcome, a callback's throw included, is recorded, not raised. */
  /** `background`: started by the timer, for no request (its trace span starts a trace of its own). */
  #refresh(trigger: RefreshTrigger, background = false): Promise<void> {
    if (this.#inflight !== undefined) return this.#inflight;
    const startedAt = this.#clock.now();
    this.#attempted = true;
    this.#nextAttemptAt = startedAt + this.#policy.cooldownMs;
    const run = this.#fetchAndReplace(trigger, startedAt, background)
      .catch((error: unknown) => {
        // Unreachable by design (#fetchAndReplace catches everything); kept so that a future
        // mistake there is a failed refresh, not an unhandled rejection that ends the process.
        this.#recordFailure(trigger, startedAt, `refresh failed: ${String(error)}`);
      })
      .finally(() => {
        this.#inflight = undefined;
        this.#scheduleNext();
      });
    this.#inflight = run;
    return run;
  }

  async #fetchAndReplace(
    trigger: RefreshTrigger,
    startedAt: number,
    background: boolean,
  ): Promise<void> {
    let snapshot: KeySnapshot;
    let ignored: ReturnType<typeof screenKeys>["ignored"];
    try {
      const keys = await fetchJwks(this.#uri, {
        fetch: this.#fetch,
        clock: this.#clock,
        policy: this.#policy,
        closed: this.#closed.signal,
        trigger,
        background,
      });
      const screened = screenKeys(keys);
      ignored = screened.ignored;
      if (screened.usable.length === 0) {
        const detail = ignored.length === 0 ? "" : ` (${ignored.length} unusable)`;
        throw new Error(`key set has no usable signing key${detail}`);
      }
      snapshot = await buildKeySnapshot(screened.usable, this.#clock.now(), ignored);
    } catch (error) {
      this.#recordFailure(
        trigger,
        startedAt,
        error instanceof Error ? error.message : String(error),
      );
      return;
    }
    const previous = this.#snapshot?.labels() ?? new Map<string, string>();
    const current = snapshot.labels();
    this.#snapshot = snapshot;
    this.#failures = 0;
    this.#lastError = undefined;
    this.#emit({
      type: "key_set_refreshed",
      trigger,
      kids: snapshot.kids,
      added: [...current].filter(([t]) => !previous.has(t)).map(([, label]) => label),
      removed: [...previous].filter(([t]) => !current.has(t)).map(([, label]) => label),
      ignored,
      durationMs: Math.max(0, this.#clock.now() - startedAt),
    });
  }

  #recordFailure(trigger: RefreshTrigger, startedAt: number, error: string): void {
    this.#failures += 1;
    this.#lastError = error;
    const { cooldownMs } = this.#policy;
    const exponential = Math.min(cooldownMs * 2 ** (this.#failures - 1), MAX_BACKOFF_MS);
    // Jitter (±20%) keeps a fleet of api instances from retrying in lockstep.
    const backoff = Math.max(cooldownMs, exponential * (0.8 + Math.random() * 0.4));
    this.#nextAttemptAt = startedAt + backoff;
    const now = this.#clock.now();
    this.#emit({
      type: "key_set_refresh_failed",
      trigger,
      error,
      consecutiveFailures: this.#failures,
      nextAttemptInMs: Math.max(0, Math.round(this.#nextAttemptAt - now)),
      servingLastGoodSet: this.#usable(now) !== undefined,
      durationMs: Math.max(0, now - startedAt),
    });
  }

  /**
   * After every fetch: the next one is due at max age after a success, or when the backoff ends
   * after a failure. One timer at a time, unref'd, cancelled by close().
   */
  #scheduleNext(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerDueAt = undefined;
    if (this.#closed.signal.aborted) return;
    const now = this.#clock.now();
    const failing = this.#failures > 0;
    const dueAt = failing
      ? this.#nextAttemptAt
      : Math.max(this.#nextAttemptAt, (this.#snapshot?.fetchedAt ?? now) + this.#policy.maxAgeMs);
    this.#timerDueAt = dueAt;
    this.#cancelTimer = this.#clock.setTimer(
      () => {
        this.#cancelTimer = undefined;
        this.#timerDueAt = undefined;
        if (this.#inflight === undefined) void this.#refresh(failing ? "retry" : "max_age", true);
      },
      Math.max(0, dueAt - now),
      { background: true },
    );
  }

  /**
   * The callback is the user's: it may throw, or return a rejected promise despite its type. In a
   * background refresh either would be an unhandled rejection, which ends a Node process; a
   * broken logger must not take the api down, so both are dropped here.
   */
  #emit(event: KeySetEvent): void {
    try {
      const result: unknown = this.#onEvent(event);
      if (result instanceof Promise) result.catch(() => undefined);
    } catch {
      // Dropped on purpose (see above).
    }
  }

  #notLoadedReason(): string {
    if (this.#inflight !== undefined && this.#failures === 0) {
      return "signing keys not loaded yet: the first fetch is in progress";
    }
    if (this.#failures > 0) {
      return `signing keys could not be loaded: ${this.#failures} fetch${this.#failures === 1 ? "" : "es"} failed, retrying in the background`;
    }
    return this.#attempted
      ? "signing keys not loaded yet"
      : "signing keys not loaded yet: no fetch started (call start() or warm())";
  }

  #expiredReason(): string {
    if (this.#failures > 0) {
      return `signing keys expired: refreshes have failed past the max-stale bound (${this.#failures} in a row), retrying in the background`;
    }
    return this.#inflight === undefined
      ? "signing keys expired: no refresh has completed since; one is scheduled"
      : "signing keys expired: a refresh is in progress";
  }
}
