import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** A nonce is valid in the window it was made in and the next one: 5 to 10 minutes. */
export const DPOP_NONCE_WINDOW_MS = 5 * 60 * 1000;

/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9) that need no stored state: a nonce is the HMAC of
 * a time window's number, so any process holding the key can check one (replicas share the key;
 * without one, a random key made here serves this process only). The current nonce changes every
 * window, the previous one is still accepted so a client that just received it is not refused.
 */
export class DpopNonces {
  readonly #key: Buffer;
  readonly #now: () => number;
  #madeFor = Number.NaN;
  #made = "";

  constructor(options: { now: () => number; key?: Uint8Array }) {
    this.#key = Buffer.from(options.key ?? randomBytes(32));
    this.#now = options.now;
  }

  /** The nonce to hand out now. */
  current(): string {
    // Every answer carries the current nonce: one HMAC per window, not per answer.
    const window = this.#window();
    if (window !== this.#madeFor) {
      this.#made = this.#nonceFor(window);
      this.#madeFor = window;
    }
    return this.#made;
  }

  /** Whether `nonce` was made in this window or the previous one. */
  isValid(nonce: string): boolean {
    const given = Buffer.from(nonce, "utf8");
    const window = this.#window();
    return [window, window - 1].some((candidate) => {
      const expected = Buffer.from(this.#nonceFor(candidate), "utf8");
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }

  #window(): number {
    return Math.floor(this.#now() / DPOP_NONCE_WINDOW_MS);
  }

  #nonceFor(window: number): string {
    return createHmac("sha256", this.#key)
      .update(`dpop-nonce:${window}`)
      .digest()
      .subarray(0, 18)
      .toString("base64url");
  }
}
