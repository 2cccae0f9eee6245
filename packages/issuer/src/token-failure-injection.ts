import type { FailTokenRequestsOptions } from "./local-issuer-types.ts";
import { OAuthError } from "./oauth-error.ts";

/** Counts down injected token-endpoint failures, so clients' retry paths can be tested. */
export class TokenFailureInjection {
  #remaining = 0;
  #status = 503;
  #retryAfterSeconds: number | undefined;

  set(options: FailTokenRequestsOptions): void {
    const { status, count, retryAfterSeconds } = options;
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`status must be a 4xx or 5xx code, got ${status}`);
    }
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`count must be a non-negative integer, got ${count}`);
    }
    if (
      retryAfterSeconds !== undefined &&
      (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0)
    ) {
      throw new RangeError(
        `retryAfterSeconds must be a non-negative integer, got ${retryAfterSeconds}`,
      );
    }
    this.#remaining = count;
    this.#status = status;
    this.#retryAfterSeconds = retryAfterSeconds;
  }

  /** The failure to answer the current request with, consuming one; undefined once used up. */
  take(): OAuthError | undefined {
    if (this.#remaining === 0) return undefined;
    this.#remaining -= 1;
    const headers: Record<string, string> =
      this.#retryAfterSeconds === undefined
        ? {}
        : { "Retry-After": String(this.#retryAfterSeconds) };
    // RFC 6749 has no 429 code; "slow_down" is the closest (RFC 8628 §3.5) and what clients key on.
    return this.#status === 429
      ? new OAuthError("slow_down", "too many token requests, retry later", 429, headers)
      : new OAuthError(
          "temporarily_unavailable",
          "the issuer is unavailable, retry later",
          this.#status,
          headers,
        );
  }
}
