import { LRUCache } from "lru-cache";
import type { AccessToken } from "./access-token.ts";
import type { Clock } from "./clock.ts";
import type { RemoteKeySet } from "./key-set/remote-key-set.ts";

interface Entry {
  readonly token: AccessToken;
  /** `exp` in milliseconds: the entry is never served at or after it. */
  readonly expiresAtMs: number;
  /** RFC 7638 thumbprint of the key that verified the token. */
  readonly thumbprint: string;
}

/**
 * Tokens that passed full verification, so that a client reusing its token (AuthAction's live 24 h)
 * costs a map lookup instead of an RSA verification. Safe because (fast-jwt GHSA-rp9m-7r4c-75qg):
 * - the key is the whole token string, and each verifier owns its cache (one configuration);
 * - LRU-bounded, so a flood of distinct tokens cannot grow memory past `maxEntries`;
 * - a hit is served only before the token's `exp` and while the key set still holds the exact key
 *   that verified it, named by its RFC 7638 thumbprint: a refresh that drops that key ends the
 *   entry whatever the `kid`s say (two keys may share a kid, and keys may have none, RFC 7517).
 */
export class VerifiedTokenCache {
  readonly #entries: LRUCache<string, Entry>;
  readonly #keySet: RemoteKeySet;
  readonly #clock: Clock;

  constructor(maxEntries: number, keySet: RemoteKeySet, clock: Clock) {
    this.#entries = new LRUCache({ max: maxEntries });
    this.#keySet = keySet;
    this.#clock = clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(jwt: string): AccessToken | undefined {
    const entry = this.#entries.get(jwt);
    if (entry === undefined) return undefined;
    if (this.#clock.now() >= entry.expiresAtMs || !this.#keySet.holds(entry.thumbprint)) {
      this.#entries.delete(jwt);
      return undefined;
    }
    return entry.token;
  }

  set(jwt: string, token: AccessToken, thumbprint: string): void {
    this.#entries.set(jwt, { token, expiresAtMs: token.expiresAt.getTime(), thumbprint });
  }
}
