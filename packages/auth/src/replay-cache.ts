/** What `ReplayCache.remember` found. */
export type ReplayVerdict = "fresh" | "replayed" | "full";

export interface ReplayCacheOptions {
  /** Entries held at most; past it, new ones are refused until old ones expire. */
  readonly maxEntries: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * Single-use identifiers (a DPoP proof's or a client assertion's `jti`) remembered until the
 * instant after which the token carrying them would be refused anyway. Bounded: when every slot
 * holds a live entry the cache answers `full` rather than forgetting one, since a forgotten `jti`
 * could be replayed (fail closed; the caller refuses the request).
 */
export class ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #options: ReplayCacheOptions;

  constructor(options: ReplayCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    this.#options = options;
  }

  /** Records `key` until `expiresAtMs`, or says it was seen already or there is no room. */
  remember(key: string, expiresAtMs: number): ReplayVerdict {
    const now = this.#options.now();
    const known = this.#entries.get(key);
    if (known !== undefined && known > now) return "replayed";
    if (known === undefined && this.#entries.size >= this.#options.maxEntries) {
      this.#dropExpired(now);
      if (this.#entries.size >= this.#options.maxEntries) return "full";
    }
    this.#entries.set(key, expiresAtMs);
    return "fresh";
  }

  /** Milliseconds until the soonest entry expires: when a full cache has room again. */
  msUntilRoom(): number {
    const now = this.#options.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const expiresAt of this.#entries.values()) soonest = Math.min(soonest, expiresAt);
    return Math.max(0, soonest - now);
  }

  get size(): number {
    return this.#entries.size;
  }

  // A full sweep only when the cache is full: linear, and at most once per refused insert.
  #dropExpired(now: number): void {
    for (const [key, expiresAt] of this.#entries) {
      if (expiresAt <= now) this.#entries.delete(key);
    }
  }
}
