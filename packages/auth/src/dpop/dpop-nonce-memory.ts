// RFC 9449 §8.1: a nonce is 1*NQCHAR, printable ASCII without `"` and `\`.
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]{1,512}$/;
const MAX_ORIGINS = 32;

/**
 * The last `DPoP-Nonce` each server gave, by origin (RFC 9449 §8: a nonce is the server's, for
 * every later request to it). Bounded: a client that talks to many origins forgets the oldest.
 */
export class DpopNonceMemory {
  readonly #nonces = new Map<string, string>();

  /** Keeps the `DPoP-Nonce` of a response from `url`, when it carries a well-formed one. */
  remember(url: string | URL, headers: Headers): void {
    const nonce = headers.get("dpop-nonce")?.trim();
    if (nonce === undefined || !NONCE.test(nonce)) return;
    const origin = new URL(url).origin;
    this.#nonces.delete(origin);
    this.#nonces.set(origin, nonce);
    if (this.#nonces.size > MAX_ORIGINS) {
      this.#nonces.delete(this.#nonces.keys().next().value!);
    }
  }

  /** The nonce last given by `url`'s origin, if any. */
  nonceFor(url: string | URL): string | undefined {
    return this.#nonces.get(new URL(url).origin);
  }
}
