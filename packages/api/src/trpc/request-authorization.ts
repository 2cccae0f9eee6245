import type {
  AccessToken,
  AuthorizationCredential,
  DpopPolicy,
  DpopRequest,
} from "@repo/auth/server";

/** A request with no `DPoP` header, outside HTTP (server-side callers, tests). */
const NO_PROOF: DpopRequest = { proofs: undefined, method: "GET", acceptedHtus: () => [] };

/**
 * A request's credentials, read at most once: the calls of a batch share one context (and the
 * HTTP edge shares this object between every context of a request), so what the first protected
 * call extracts and proves the others reuse. Only a successful parse is kept: a refusal is rare,
 * and each call still gets an error of its own.
 */
export class RequestAuthorization {
  /** The header as received (every line when the client sent several, for the parser to refuse). */
  readonly raw: string | readonly string[] | undefined;
  readonly #policy: DpopPolicy;
  readonly #request: DpopRequest;
  #credential: AuthorizationCredential | undefined;
  /** undefined: not looked at yet; null: not of the form `Bearer <one token>`. */
  #candidate: string | null | undefined;
  #proven: Promise<void> | undefined;

  constructor(
    raw: string | readonly string[] | undefined,
    policy: DpopPolicy,
    request: DpopRequest = NO_PROOF,
  ) {
    this.raw = raw;
    this.#policy = policy;
    this.#request = request;
  }

  /**
   * The scheme and token of the Authorization header (RFC 6750 §2.1, RFC 9449 §7.1).
   * @throws AuthError as DpopPolicy.credential does.
   */
  credential(): AuthorizationCredential {
    if (this.#credential === undefined) this.#credential = this.#policy.credential(this.raw);
    return this.#credential;
  }

  /** The scheme of the Authorization header once credential() has read it; else undefined. */
  scheme(): AuthorizationCredential["scheme"] | undefined {
    return this.#credential?.scheme;
  }

  /**
   * What follows `Bearer ` (the scheme in any case, one space) in a single header, NOT validated:
   * only to look up among tokens that passed verification. Each of those is a canonical compact
   * JWS (base64url and dots, no padding, no white space), so when one equals this text,
   * credential() would return exactly it, and the regular-expression check over the whole token
   * can be skipped. Anything else (several headers, other spacing, the DPoP scheme) is
   * `undefined`: parse it.
   */
  cacheCandidate(): string | undefined {
    if (this.#candidate === undefined) this.#candidate = candidateOf(this.raw);
    return this.#candidate ?? undefined;
  }

  /** Whether a cached token found by cacheCandidate() is accepted with no more checks. */
  acceptsCached(token: AccessToken): boolean {
    return this.#policy.acceptsAsBearer(token, this.#request.proofs !== undefined);
  }

  /**
   * The DPoP policy's verdict on this request's use of `token` (scheme, binding, proof), decided
   * once per request: a proof's `jti` may be spent only once, and a batch is one request.
   * @throws AuthError as DpopPolicy.check does.
   */
  prove(credential: AuthorizationCredential, token: AccessToken): Promise<void> {
    this.#proven ??= this.#policy.check(credential, token, this.#request);
    return this.#proven;
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
