import { parseBearerHeader } from "@repo/auth/server";

/**
 * A request's Authorization header, read at most once: the calls of a batch share one context, so
 * what the first protected call extracts the others reuse. Only a successful parse is kept: a
 * refusal is rare, and each call still gets an error of its own.
 */
export class RequestAuthorization {
  /** The header as received (every line when the client sent several, for parseBearerHeader to refuse). */
  readonly raw: string | readonly string[] | undefined;
  #token: string | undefined;
  /** undefined: not looked at yet; null: not of the form `Bearer <one token>`. */
  #candidate: string | null | undefined;

  constructor(raw: string | readonly string[] | undefined) {
    this.raw = raw;
  }

  /**
   * The bearer token (RFC 6750 §2.1).
   * @throws AuthError as parseBearerHeader does.
   */
  bearerToken(): string {
    if (this.#token === undefined) this.#token = parseBearerHeader(this.raw);
    return this.#token;
  }

  /**
   * What follows `Bearer ` (the scheme in any case, one space) in a single header, NOT validated:
   * only to look up among tokens that passed verification. Each of those is a canonical compact
   * JWS (base64url and dots, no padding, no white space), so when one equals this text,
   * bearerToken() would return exactly it, and the regular-expression check over the whole token
   * can be skipped. Anything else (several headers, other spacing) is `undefined`: parse it.
   */
  cacheCandidate(): string | undefined {
    if (this.#candidate === undefined) this.#candidate = candidateOf(this.raw);
    return this.#candidate ?? undefined;
  }
}

function candidateOf(raw: string | readonly string[] | undefined): string | null {
  if (typeof raw !== "string" || raw.length < 8 || raw.charCodeAt(6) !== 32) return null;
  // "Bearer" in any case, read in place (no copy of the scheme): setting bit 0x20 lowercases an
  // ASCII letter, and of all codes only the letter's two cases land on it.
  for (let i = 0; i < 6; i++) {
    if ((raw.charCodeAt(i) | 0x20) !== SCHEME.charCodeAt(i)) return null;
  }
  return raw.slice(7);
}

const SCHEME = "bearer";
