import type { Span } from "@opentelemetry/api";
import type {
  AccessToken,
  AccessTokenVerifier,
  ResolvedVerifierOptions,
  VerifierStats,
} from "@repo/auth/server";

/** Span attributes of a call's authentication (docs/operations.md, "Traces"). */
export const AUTH_ATTRIBUTES = {
  /** `verified` (signature checked), `cache_hit` (verified-token cache) or `refused`. */
  outcome: "auth.outcome",
  /** The AuthError code of a refusal (`expired`, `insufficient_scope`...). */
  refusalReason: "auth.refusal_reason",
  /** The verified token's `sub`. */
  subject: "auth.subject",
  /** The verified token's scopes. */
  scopes: "auth.scopes",
} as const;

/**
 * A verifier that records on `span` how each token it hands back was obtained (verified or from
 * the cache) and whose it is, and otherwise is `verifier`: the same answers, the same cache
 * counters. It sees only tokens that passed; refusals are recorded from the call's error.
 * Nothing is recorded once the span has ended (a stream's later re-checks).
 */
export class SpanRecordingVerifier implements AccessTokenVerifier {
  readonly #verifier: AccessTokenVerifier;
  readonly #span: Span;

  constructor(verifier: AccessTokenVerifier, span: Span) {
    this.#verifier = verifier;
    this.#span = span;
  }

  get keySet(): AccessTokenVerifier["keySet"] {
    return this.#verifier.keySet;
  }

  get options(): ResolvedVerifierOptions {
    return this.#verifier.options;
  }

  stats(): VerifierStats {
    return this.#verifier.stats();
  }

  cached(jwt: string): AccessToken | undefined {
    const hit = this.#verifier.cached(jwt);
    if (hit !== undefined) this.#record("cache_hit", hit);
    return hit;
  }

  verify(jwt: string): Promise<AccessToken> {
    // The lookup verify() would make first, made here to tell a hit from a verification: a miss
    // is not counted by cached(), and verify() counts it as it would have.
    const hit = typeof jwt === "string" ? this.cached(jwt) : undefined;
    if (hit !== undefined) return Promise.resolve(hit);
    return this.#verifier.verify(jwt).then((token) => {
      this.#record("verified", token);
      return token;
    });
  }

  #record(outcome: "verified" | "cache_hit", token: AccessToken): void {
    if (!this.#span.isRecording()) return;
    this.#span.setAttributes({
      [AUTH_ATTRIBUTES.outcome]: outcome,
      [AUTH_ATTRIBUTES.subject]: token.sub,
      [AUTH_ATTRIBUTES.scopes]: [...token.scopes],
    });
  }
}
