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
 * could be replayed (fail closed; the caller refuses the request). Expired entries leave in order
 * of expiry through a binary heap, so neither a full cache nor a long one costs a sweep per call.
 */
export class ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #options: ReplayCacheOptions;
  // A min-heap of the entries by expiry, in two parallel arrays.
  readonly #heapKeys: string[] = [];
  readonly #heapExpiries: number[] = [];

  constructor(options: ReplayCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    this.#options = options;
  }

  /** Records `key` until `expiresAtMs`, or says it was seen already or there is no room. */
  remember(key: string, expiresAtMs: number): ReplayVerdict {
    this.#dropExpired(this.#options.now());
    if (this.#entries.has(key)) return "replayed";
    if (this.#entries.size >= this.#options.maxEntries) return "full";
    this.#entries.set(key, expiresAtMs);
    this.#push(key, expiresAtMs);
    return "fresh";
  }

  /** Milliseconds until the soonest entry expires: when a full cache has room again. */
  msUntilRoom(): number {
    this.#dropExpired(this.#options.now());
    const soonest = this.#heapExpiries[0];
    return soonest === undefined ? 0 : Math.max(0, soonest - this.#options.now());
  }

  /** Live entries. */
  get size(): number {
    this.#dropExpired(this.#options.now());
    return this.#entries.size;
  }

  #dropExpired(now: number): void {
    while (this.#heapExpiries.length > 0 && (this.#heapExpiries[0] as number) <= now) {
      this.#entries.delete(this.#heapKeys[0] as string);
      this.#popTop();
    }
  }

  #push(key: string, expiresAt: number): void {
    const keys = this.#heapKeys;
    const expiries = this.#heapExpiries;
    let i = keys.length;
    keys.push(key);
    expiries.push(expiresAt);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((expiries[parent] as number) <= expiresAt) break;
      keys[i] = keys[parent] as string;
      expiries[i] = expiries[parent] as number;
      i = parent;
    }
    keys[i] = key;
    expiries[i] = expiresAt;
  }

  #popTop(): void {
    const keys = this.#heapKeys;
    const expiries = this.#heapExpiries;
    const lastKey = keys.pop() as string;
    const lastExpiry = expiries.pop() as number;
    const n = keys.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && (expiries[child + 1] as number) < (expiries[child] as number)) child++;
      if ((expiries[child] as number) >= lastExpiry) break;
      keys[i] = keys[child] as string;
      expiries[i] = expiries[child] as number;
      i = child;
    }
    keys[i] = lastKey;
    expiries[i] = lastExpiry;
  }
}
