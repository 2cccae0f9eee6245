import { LRUCache } from "lru-cache";
import type { AccessToken } from "./access-token.ts";
import type { Clock } from "./clock.ts";
import type { RemoteKeySet } from "./key-set/remote-key-set.ts";

interface Entry {
  /** The whole token: a hit requires the looked-up token to equal it, character for character. */
  readonly jwt: string;
  readonly token: AccessToken;
  /** `exp` in milliseconds: the entry is never served at or after it. */
  readonly expiresAtMs: number;
  /** RFC 7638 thumbprint of the key that verified the token. */
  readonly thumbprint: string;
}

/**
 * Tokens that passed full verification, so that a client reusing its token (AuthAction's live 24 h)
 * costs a map lookup instead of an RSA verification. Safe because (fast-jwt GHSA-rp9m-7r4c-75qg):
 * - an entry is served only for the whole token string it was verified for, and each verifier
 *   owns its cache (one configuration). It is found by a number mixed from the token's last
 *   characters (its signature's tail; see keyOf), then the whole token is compared. Two tokens
 *   whose keys collide are one entry, so one of them misses and is verified again;
 * - LRU-bounded, so a flood of distinct tokens cannot grow memory past `maxEntries`;
 * - a hit is served only before the token's `exp` and while the key set still holds the exact key
 *   that verified it, named by its RFC 7638 thumbprint: a refresh that drops that key ends the
 *   entry whatever the `kid`s say (two keys may share a kid, and keys may have none, RFC 7517).
 */
export class VerifiedTokenCache {
  readonly #entries: LRUCache<number, Entry>;
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
    const key = keyOf(jwt);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.jwt !== jwt) return undefined;
    // One reading of the clock for both checks (the key set runs on the same clock).
    const now = this.#clock.now();
    // Written so that an expiry that is no number (an Invalid Date) counts as passed.
    if (!(now < entry.expiresAtMs) || !this.#keySet.holds(entry.thumbprint, now)) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  set(jwt: string, token: AccessToken, thumbprint: string): void {
    this.#entries.set(keyOf(jwt), {
      jwt,
      token,
      expiresAtMs: token.expiresAt.getTime(),
      thumbprint,
    });
  }
}

/** Characters of a token's tail mixed into its lookup key. */
const KEY_CHARS = 8;

/**
 * The lookup key of a token: its last KEY_CHARS characters (48 bits of its signature, which nobody
 * can choose for a token signed by someone else) folded into a 30-bit integer. A number, not a
 * string: a Map hashes a string key in full on every lookup of a new string, and a request's header
 * is always a new string; a small integer is hashed inline. Only a lookup key: the whole token is
 * compared on every hit, so a collision costs a miss, never a wrong answer.
 */
export function keyOf(jwt: string): number {
  let key = 0;
  for (let i = Math.max(0, jwt.length - KEY_CHARS); i < jwt.length; i++) {
    key = (Math.imul(key, 31) + jwt.charCodeAt(i)) | 0;
  }
  return key & 0x3fffffff;
}
