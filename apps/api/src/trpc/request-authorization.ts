import { parseBearerHeader } from "@repo/auth/server";

/**
 * A request's Authorization header, read at most once: the calls of a batch share one context,
 * so the first protected call extracts the bearer token and the others reuse that very string
 * (the verified-token cache then also reuses its hash). Only a successful parse is kept: a refusal
 * is rare, and each call still gets an error of its own.
 */
export class RequestAuthorization {
  /** The header as received (every line when the client sent several, for parseBearerHeader to refuse). */
  readonly raw: string | readonly string[] | undefined;
  #token: string | undefined;

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
}
