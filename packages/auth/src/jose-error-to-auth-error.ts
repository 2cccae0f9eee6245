import { errors } from "jose";
import { AuthError } from "./errors.ts";
import { timeClaimOutOfRange } from "./time-claim-bounds.ts";

interface TokenFacts {
  readonly kid: string | undefined;
  /** Claims are only known once the signature verified (jose reports them on claim failures). */
  readonly payload?: Record<string, unknown>;
}

/**
 * Translate jose's failure into this package's codes. Messages are short and safe to send to the
 * caller (RFC 6750 §3 error_description); jose's own message stays in `cause`, for logs.
 */
export function joseErrorToAuthError(error: unknown, facts: TokenFacts): AuthError {
  if (error instanceof AuthError) return error;
  const payload =
    error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired
      ? error.payload
      : facts.payload;
  const options = {
    cause: error,
    kid: facts.kid,
    subject: typeof payload?.sub === "string" ? payload.sub : undefined,
    clientId: typeof payload?.client_id === "string" ? payload.client_id : undefined,
  };
  if (error instanceof errors.JWTExpired) {
    return new AuthError("expired", "Token has expired", options);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    // jose judges an nbf of year 10000 and later "not valid yet"; it is no date at all.
    const outOfRange = timeClaimOutOfRange(payload);
    if (outOfRange !== undefined) {
      return new AuthError("invalid_claim", `Token ${outOfRange} claim is out of range`, options);
    }
    const { claim, reason } = error;
    if (reason === "missing")
      return new AuthError("missing_claim", `Token has no ${claim} claim`, options);
    if (reason === "invalid")
      return new AuthError("invalid_claim", `Token ${claim} claim is invalid`, options);
    switch (claim) {
      case "nbf":
        return new AuthError("not_yet_valid", "Token is not valid yet", options);
      case "iss":
        return new AuthError("wrong_issuer", "Token issuer is not accepted", options);
      case "aud":
        return new AuthError("wrong_audience", "Token audience is not accepted", options);
      case "typ":
        return new AuthError("wrong_type", "Token type must be at+jwt", options);
      default:
        return new AuthError("invalid_claim", `Token ${claim} claim is invalid`, options);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new AuthError("unsupported_algorithm", "Token algorithm is not accepted", options);
  }
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return new AuthError("unknown_key", "Token signing key is not known", options);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthError("bad_signature", "Token signature is invalid", options);
  }
  if (error instanceof errors.JOSENotSupported) {
    // Unsupported alg for the key set, or an unrecognised `crit` parameter (RFC 7515 §4.1.11).
    return new AuthError("malformed_token", "Token uses an unsupported feature", options);
  }
  // JWSInvalid, JWTInvalid, and the TypeErrors jose throws for unusable input: all malformed.
  return new AuthError("malformed_token", "Token is malformed", options);
}
