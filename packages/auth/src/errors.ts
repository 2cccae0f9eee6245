/**
 * Why a token was refused, or why one could not be obtained. Callers branch on `code`, never on
 * `message` (the jose convention); HTTP status and challenges are chosen at the edge (the api).
 */
export type AuthErrorCode =
  // --- verifying (server side) ---
  /** No Authorization header at all (RFC 6750 §3.1: the challenge carries no error code). */
  | "missing_token"
  /** The Authorization header is not one `Bearer <token>` (wrong scheme, empty, several tokens). */
  | "invalid_request"
  /** The token is not a compact JWS/JWT this verifier can parse (bad segments, base64, JSON, crit). */
  | "malformed_token"
  /** The token is longer than the configured maximum; refused before any parsing. */
  | "token_too_large"
  /** The `alg` header is not in the allow-list (`none` and HMAC never are). */
  | "unsupported_algorithm"
  /** No key of the configured key set matches the token's `kid`/`alg`, even after a refetch. */
  | "unknown_key"
  /** A key was selected but the signature does not verify. */
  | "bad_signature"
  | "expired"
  | "not_yet_valid"
  | "wrong_issuer"
  | "wrong_audience"
  /** RFC 9068 `typ: at+jwt` was required and the token has another `typ`. */
  | "wrong_type"
  /** A required claim (`exp`, `sub`, ...) is absent. */
  | "missing_claim"
  /** A claim is present but of the wrong type or an impossible value (`exp: "soon"`, `iat` in the future). */
  | "invalid_claim"
  /** The key set could not be fetched and no usable cached copy exists. */
  | "key_set_unavailable"
  /** The token is valid but lacks a scope the procedure requires. */
  | "insufficient_scope"
  // --- DPoP (RFC 9449), server side ---
  /** The `DPoP` proof is missing, several, malformed, or fails a rule of §4.3 (description names it). */
  | "invalid_dpop_proof"
  /** The server requires its nonce in proofs (§8): retry with the `DPoP-Nonce` given (`dpopNonce`). */
  | "use_dpop_nonce"
  /** The token's binding does not fit the request: a bound token as Bearer, an unbound one as DPoP, another key. */
  | "wrong_binding"
  /** This resource accepts DPoP-bound tokens only, and the request used the Bearer scheme. */
  | "dpop_required"
  /** Every slot of the bounded proof replay cache is taken: no proof can be accepted right now. */
  | "replay_cache_full"
  // --- obtaining (client side) ---
  /** The token endpoint answered an OAuth error (RFC 6749 §5.2); `oauthError` holds its code. */
  | "token_request_refused"
  /** The token endpoint could not be reached, timed out, or kept failing until the deadline. */
  | "token_endpoint_unavailable"
  /** The token endpoint answered 2xx with a body that is not a usable token response. */
  | "invalid_token_response";

export interface AuthErrorOptions {
  /** The underlying error; logged by servers, never sent to clients. */
  cause?: unknown;
  /** For `insufficient_scope`: the scopes the procedure requires. */
  requiredScopes?: readonly string[];
  /** For `token_request_refused`: the OAuth `error` code the token endpoint answered. */
  oauthError?: string;
  /** For client-side errors: the HTTP status the token endpoint answered, when it answered. */
  status?: number;
  /** The JWT `kid` header of the refused token, when it could be read (for logs). */
  kid?: string;
  /** `sub` of a refused token whose signature was valid (for logs). */
  subject?: string;
  /** `client_id` of a refused token whose signature was valid (for logs). */
  clientId?: string;
  /** The Authorization scheme the request used, when known: which challenge carries the error. */
  scheme?: "bearer" | "dpop";
  /** For `use_dpop_nonce`: the nonce to send in `DPoP-Nonce`. */
  dpopNonce?: string | undefined;
  /** For `replay_cache_full`: seconds until a retry can succeed. */
  retryAfterSeconds?: number;
}

/**
 * The one error type of this package. `message` is short and safe to show to the caller of the
 * API: it never contains the token, key material or a stack.
 */
export class AuthError extends Error {
  override readonly name = "AuthError";
  readonly code: AuthErrorCode;
  readonly requiredScopes: readonly string[] | undefined;
  readonly oauthError: string | undefined;
  readonly status: number | undefined;
  readonly kid: string | undefined;
  readonly subject: string | undefined;
  readonly clientId: string | undefined;
  readonly scheme: "bearer" | "dpop" | undefined;
  readonly dpopNonce: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: AuthErrorCode, message: string, options: AuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.requiredScopes = options.requiredScopes;
    this.oauthError = options.oauthError;
    this.status = options.status;
    this.kid = options.kid;
    this.subject = options.subject;
    this.clientId = options.clientId;
    this.scheme = options.scheme;
    this.dpopNonce = options.dpopNonce;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * `error` as refused to a request that used `scheme`, when the error itself does not say (a token
 * that failed verification, a missing scope): the challenge then names the scheme the client
 * used (RFC 9449 §7.1). An error that names its scheme is returned as it is.
 */
export function withScheme(error: AuthError, scheme: "bearer" | "dpop"): AuthError {
  if (error.scheme !== undefined) return error;
  return new AuthError(error.code, error.message, {
    cause: error.cause,
    ...(error.requiredScopes === undefined ? {} : { requiredScopes: error.requiredScopes }),
    ...(error.oauthError === undefined ? {} : { oauthError: error.oauthError }),
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.kid === undefined ? {} : { kid: error.kid }),
    ...(error.subject === undefined ? {} : { subject: error.subject }),
    ...(error.clientId === undefined ? {} : { clientId: error.clientId }),
    ...(error.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: error.retryAfterSeconds }),
    dpopNonce: error.dpopNonce,
    scheme,
  });
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}
