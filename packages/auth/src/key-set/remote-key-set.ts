import { type CryptoKey, createLocalJWKSet, errors, type JWSHeaderParameters } from "jose";
import { AuthError } from "../errors.ts";
import { type IgnoredKey, jwksDocumentSchema, screenKeys } from "./usable-keys.ts";

/** How the key set is kept fresh. Every duration is in milliseconds. */
export interface KeySetPolicy {
  /** After this age the set is refreshed in the background while still in use. Default 10 min. */
  readonly maxAgeMs: number;
  /** Minimum spacing of fetches, including those caused by an unknown `kid`. Default 5 s. */
  readonly cooldownMs: number;
  /** One fetch's timeout (headers and body). Default 5 s. */
  readonly timeoutMs: number;
  /** How long the last good set may be used while refreshes fail. Default 24 h. */
  readonly maxStaleMs: number;
}

/** Bounds and defaults of the policy, written once (options and environment variables read them). */
export const KEY_SET_POLICY_BOUNDS = {
  maxAgeMs: { min: 1, max: 7 * 24 * 3_600_000, default: 10 * 60_000 },
  cooldownMs: { min: 1, max: 3_600_000, default: 5_000 },
  timeoutMs: { min: 1, max: 120_000, default: 5_000 },
  maxStaleMs: { min: 1, max: 30 * 24 * 3_600_000, default: 24 * 60 * 60_000 },
} as const;

export const DEFAULT_KEY_SET_POLICY: KeySetPolicy = {
  maxAgeMs: KEY_SET_POLICY_BOUNDS.maxAgeMs.default,
  cooldownMs: KEY_SET_POLICY_BOUNDS.cooldownMs.default,
  timeoutMs: KEY_SET_POLICY_BOUNDS.timeoutMs.default,
  maxStaleMs: KEY_SET_POLICY_BOUNDS.maxStaleMs.default,
};

/** Failed refreshes back off exponentially from the cooldown up to this bound. */
const MAX_BACKOFF_MS = 60_000;
/** A JWKS is a few KiB; anything far larger is not one. */
const MAX_JWKS_BYTES = 1024 * 1024;

export type RefreshTrigger = "cold" | "max_age" | "unknown_kid" | "warm";

export type KeySetEvent =
  | {
      readonly type: "key_set_refreshed";
      readonly trigger: RefreshTrigger;
      readonly kids: readonly string[];
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
  readonly ageMs: number | undefined;
  readonly consecutiveFailures: number;
  readonly lastError: string | undefined;
}

/**
 * Opaque identity of one published key's material. A verified-token cache keeps it beside each
 * entry: the entry stays valid only while the key set still maps that `kid` to the same object.
 */
export type KeyVersion = { readonly __keyVersion: true };

export interface ResolvedKey {
  readonly key: CryptoKey;
  readonly version: KeyVersion;
}

interface Snapshot {
  readonly select: ReturnType<typeof createLocalJWKSet>;
  readonly fetchedAt: number;
  readonly kids: readonly string[];
  readonly fingerprints: ReadonlyMap<string, string>;
  readonly versions: ReadonlyMap<string, KeyVersion>;
  /** For tokens without a `kid`: any change of the set invalidates them. */
  readonly setVersion: KeyVersion;
}

/**
 * A JWKS fetched from the authorization server and kept in memory.
 *
 * Why not jose's createRemoteJWKSet: once older than its max age it makes requests wait on the
 * refetch and fails them when the JWKS host is down (no stale fallback), and it refuses a newly
 * rotated key for 30 s after any fetch. Here key selection is still jose's (createLocalJWKSet, which
 * refuses HMAC, mismatched `alg`/`use`/`key_ops` and ambiguous keys), wrapped in a cache that:
 * - shares one fetch among concurrent callers (a cold burst makes one request);
 * - serves a set past its max age at once while one background refresh runs;
 * - keeps the last good set through failures (error status, timeout, bad JSON, empty set) until
 *   max-stale, backing off exponentially; an invalid response never replaces a good set;
 * - refetches for an unknown `kid` at most once per cooldown, so a flood of random `kid`s is at
 *   most one request per cooldown and a rotated-in key is accepted within one cooldown.
 */
export class RemoteKeySet {
  readonly #uri: string;
  readonly #policy: KeySetPolicy;
  readonly #onEvent: (event: KeySetEvent) => void;
  #snapshot: Snapshot | undefined;
  #inflight: Promise<void> | undefined;
  #nextAttemptAt = 0;
  #failures = 0;
  #lastError: string | undefined;

  constructor(
    jwksUri: string,
    policy: Partial<KeySetPolicy> = {},
    onEvent: (event: KeySetEvent) => void = () => {},
  ) {
    this.#uri = jwksUri;
    this.#policy = { ...DEFAULT_KEY_SET_POLICY, ...policy };
    this.#onEvent = onEvent;
  }

  get jwksUri(): string {
    return this.#uri;
  }

  /** The key for a token's protected header (jose's key-function contract). */
  async resolve(header: JWSHeaderParameters): Promise<ResolvedKey> {
    const snapshot = await this.#usableOrFetch();
    try {
      return await this.#select(snapshot, header);
    } catch (error) {
      const kid = header.kid;
      const unknownKid =
        error instanceof errors.JWKSNoMatchingKey &&
        typeof kid === "string" &&
        !snapshot.versions.has(kid);
      if (!unknownKid) throw error;
      // The key may have been rotated in since the last fetch.
      if (this.#inflight !== undefined) await this.#inflight;
      else if (Date.now() >= this.#nextAttemptAt) await this.#refresh("unknown_kid");
      else throw error;
      const next = this.#usable(Date.now());
      if (next === undefined || next === snapshot) throw error;
      return this.#select(next, header);
    }
  }

  /** Whether `version` is still what the set holds for `kid`, and the set is still usable. */
  isCurrent(kid: string | undefined, version: KeyVersion): boolean {
    const snapshot = this.#usable(Date.now());
    if (snapshot === undefined) return false;
    return (kid === undefined ? snapshot.setVersion : snapshot.versions.get(kid)) === version;
  }

  status(): KeySetStatus {
    const snapshot = this.#snapshot;
    const base = { consecutiveFailures: this.#failures, lastError: this.#lastError };
    if (snapshot === undefined) {
      return { ...base, state: "empty", ready: false, kids: [], ageMs: undefined };
    }
    const ageMs = Date.now() - snapshot.fetchedAt;
    const state =
      ageMs >= this.#policy.maxStaleMs
        ? "expired"
        : ageMs >= this.#policy.maxAgeMs
          ? "stale"
          : "fresh";
    return { ...base, state, ready: state !== "expired", kids: snapshot.kids, ageMs };
  }

  /**
   * Fetch the set now unless a fetch is already running (then wait for that one). Resolves to
   * whether a usable set is loaded afterwards; never rejects. Meant for warming at start.
   */
  async warm(): Promise<boolean> {
    await (this.#inflight ?? this.#refresh("warm"));
    return this.#usable(Date.now()) !== undefined;
  }

  async #usableOrFetch(): Promise<Snapshot> {
    const now = Date.now();
    const snapshot = this.#usable(now);
    if (snapshot !== undefined) {
      if (
        now - snapshot.fetchedAt >= this.#policy.maxAgeMs &&
        this.#inflight === undefined &&
        now >= this.#nextAttemptAt
      ) {
        // Stale-while-revalidate: this request goes on with the set it can already use.
        void this.#refresh("max_age");
      }
      return snapshot;
    }
    if (this.#inflight !== undefined) await this.#inflight;
    else if (now >= this.#nextAttemptAt) await this.#refresh("cold");
    const loaded = this.#usable(Date.now());
    if (loaded === undefined) {
      throw new AuthError("key_set_unavailable", "Signing keys are unavailable; try again later", {
        cause: this.#lastError,
      });
    }
    return loaded;
  }

  #usable(now: number): Snapshot | undefined {
    const snapshot = this.#snapshot;
    if (snapshot === undefined || now - snapshot.fetchedAt >= this.#policy.maxStaleMs) {
      return undefined;
    }
    return snapshot;
  }

  async #select(snapshot: Snapshot, header: JWSHeaderParameters): Promise<ResolvedKey> {
    const key = await snapshot.select(header);
    const kid = header.kid;
    const version =
      typeof kid === "string" ? snapshot.versions.get(kid) : (snapshot.setVersion as KeyVersion);
    // createLocalJWKSet matched on this kid, so the snapshot has a version for it.
    return { key, version: version ?? snapshot.setVersion };
  }

  #refresh(trigger: RefreshTrigger): Promise<void> {
    if (this.#inflight !== undefined) return this.#inflight;
    const startedAt = Date.now();
    this.#nextAttemptAt = startedAt + this.#policy.cooldownMs;
    const run = this.#fetchAndReplace(trigger, startedAt).finally(() => {
      this.#inflight = undefined;
    });
    this.#inflight = run;
    return run;
  }

  async #fetchAndReplace(trigger: RefreshTrigger, startedAt: number): Promise<void> {
    let keys: Record<string, unknown>[];
    try {
      keys = await this.#fetchKeys();
    } catch (error) {
      this.#recordFailure(trigger, startedAt, describe(error));
      return;
    }
    const { usable, ignored } = screenKeys(keys);
    if (usable.length === 0) {
      const detail = ignored.length === 0 ? "" : ` (${ignored.length} unusable)`;
      this.#recordFailure(trigger, startedAt, `key set has no usable signing key${detail}`);
      return;
    }
    let select: ReturnType<typeof createLocalJWKSet>;
    try {
      select = createLocalJWKSet({ keys: usable });
    } catch (error) {
      this.#recordFailure(trigger, startedAt, `key set rejected: ${describe(error)}`);
      return;
    }
    const previous = this.#snapshot;
    const fingerprints = new Map<string, string>();
    const versions = new Map<string, KeyVersion>();
    for (const key of usable) {
      if (key.kid === undefined) continue;
      const fingerprint = JSON.stringify(key);
      fingerprints.set(key.kid, fingerprint);
      const unchanged = previous?.fingerprints.get(key.kid) === fingerprint;
      const version = unchanged ? previous?.versions.get(key.kid) : undefined;
      versions.set(key.kid, version ?? ({} as KeyVersion));
    }
    const kids = [...fingerprints.keys()];
    const sameSet =
      previous !== undefined &&
      previous.kids.length === kids.length &&
      kids.every((kid) => previous.versions.get(kid) === versions.get(kid));
    this.#snapshot = {
      select,
      fetchedAt: Date.now(),
      kids,
      fingerprints,
      versions,
      setVersion: sameSet ? previous.setVersion : ({} as KeyVersion),
    };
    this.#failures = 0;
    this.#lastError = undefined;
    const before = new Set(previous?.kids ?? []);
    this.#onEvent({
      type: "key_set_refreshed",
      trigger,
      kids,
      added: kids.filter((kid) => !before.has(kid)),
      removed: [...before].filter((kid) => !fingerprints.has(kid)),
      ignored,
      durationMs: Date.now() - startedAt,
    });
  }

  async #fetchKeys(): Promise<Record<string, unknown>[]> {
    const signal = AbortSignal.timeout(this.#policy.timeoutMs);
    const request = () => fetch(this.#uri, { headers: { accept: "application/json" }, signal });
    let response: Response;
    try {
      response = await request();
    } catch (error) {
      // A pooled keep-alive connection the server has meanwhile closed fails at once with
      // ECONNRESET; one immediate retry on a fresh connection is not a new attempt.
      if (!isStaleConnection(error)) throw error;
      response = await request();
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`JWKS endpoint answered HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > MAX_JWKS_BYTES) {
      await response.body?.cancel();
      throw new Error(`JWKS response of ${declared} bytes is too large`);
    }
    const text = await response.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error("JWKS response is too large");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error("JWKS response is not JSON");
    }
    const parsed = jwksDocumentSchema.safeParse(json);
    if (!parsed.success) throw new Error("JWKS response is not a key set ({ keys: [...] })");
    return parsed.data.keys;
  }

  #recordFailure(trigger: RefreshTrigger, startedAt: number, error: string): void {
    this.#failures += 1;
    this.#lastError = error;
    const { cooldownMs } = this.#policy;
    const exponential = Math.min(cooldownMs * 2 ** (this.#failures - 1), MAX_BACKOFF_MS);
    // Jitter (±20%) keeps a fleet of api instances from retrying in lockstep.
    const backoff = Math.max(cooldownMs, exponential * (0.8 + Math.random() * 0.4));
    this.#nextAttemptAt = startedAt + backoff;
    this.#onEvent({
      type: "key_set_refresh_failed",
      trigger,
      error,
      consecutiveFailures: this.#failures,
      nextAttemptInMs: Math.max(0, Math.round(this.#nextAttemptAt - Date.now())),
      servingLastGoodSet: this.#usable(Date.now()) !== undefined,
      durationMs: Date.now() - startedAt,
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") {
      return "JWKS request timed out";
    }
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
    return `${error.message}${code}`;
  }
  return String(error);
}

function isStaleConnection(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE";
}
