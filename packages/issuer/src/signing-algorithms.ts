/**
 * Asymmetric JWS algorithms accepted for DPoP proofs and client assertions. `none` and the HMAC
 * family never are: a proof or assertion must be signed by a key only its holder has, and a
 * symmetric key would be shared with whoever verifies it (RFC 9449 §4.2, RFC 7523 §3).
 */
export const ASYMMETRIC_ALGORITHMS = [
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
  "PS256",
  "PS384",
  "PS512",
  "RS256",
  "RS384",
  "RS512",
] as const;

/** What `dpop_signing_alg_values_supported` advertises and DPoP proofs may use. */
export const DPOP_SIGNING_ALGORITHMS: readonly string[] = ASYMMETRIC_ALGORITHMS;

/** What `token_endpoint_auth_signing_alg_values_supported` advertises for private_key_jwt. */
export const CLIENT_ASSERTION_ALGORITHMS: readonly string[] = ASYMMETRIC_ALGORITHMS;
