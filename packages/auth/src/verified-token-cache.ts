import { LRUCache } from "lru-cache";
import type { AccessToken } from "./access-token.ts";
import type { KeyVersion, RemoteKeySet } from "./key-set/remote-key-set.ts";

interface Entry {
  readonly token: AccessToken;
  /** `exp` in milliseconds: the entry is never served at or after it. */
  readonly expiresAtMs: number;
  readonly kid: string | undefined;
  readonly keyVersion: KeyVersion;
}

/**
 * Tokens that passed full verification, so that a client reusing its token (AuthAction's live 24 h)
 * costs a map lookup instead of an RSA verification. Safe because (see fast-jwt
 * GHSA-rp9m-7r4c-75qg):
 * - the key is the whole token string, and each verifier owns its cache (one configuration);
 * - LRU-bounded, so a flood of distinct tokens cannot grow memory past `maxEntries`;
 * - a hit is served only before the token's `exp` and while the key set still holds the same key
 *   material for its `kid` (a key removed by a refresh, or a set past max-stale, ends it).
 */
export class VerifiedTokenCache {
  readonly #entries: LRUCache<string, Entry>;
  readonly #keySet: RemoteKeySet;

  constructor(maxEntries: number, keySet: RemoteKeySet) {
    this.#entries = new LRUCache({ max: maxEntries });
    this.#keySet = keySet;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(jwt: string): AccessToken | undefined {
    const entry = this.#entries.get(jwt);
    if (entry === undefined) return undefined;
    if (Date.now() >= entry.expiresAtMs || !this.#keySet.isCurrent(entry.kid, entry.keyVersion)) {
      this.#entries.delete(jwt);
      return undefined;
    }
    return entry.token;
  }

  set(jwt: string, token: AccessToken, kid: string | undefined, keyVersion: KeyVersion): void {
    this.#entries.set(jwt, { token, expiresAtMs: token.expiresAt.getTime(), kid, keyVersion });
  }
}
