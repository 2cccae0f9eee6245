import type { RequestCounts } from "./local-issuer-types.ts";

/** Requests received per endpoint, so tests can assert caching and retry behaviour of clients. */
export class RequestCounter {
  #counts: RequestCounts = { jwks: 0, token: 0, openidConfiguration: 0 };

  increment(endpoint: keyof RequestCounts): void {
    this.#counts[endpoint] += 1;
  }

  snapshot(): RequestCounts {
    return { ...this.#counts };
  }

  reset(): void {
    this.#counts = { jwks: 0, token: 0, openidConfiguration: 0 };
  }
}
