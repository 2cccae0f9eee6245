/** RSA signature algorithms, PKCS #1 v1.5 first (RS256 is what an RSA key signs with by default). */
export const RSA_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] as const;

/** ECDSA algorithms, one per curve: P-256, P-384, P-521 (RFC 7518 §3.4). */
export const EC_ALGORITHMS = ["ES256", "ES384", "ES512"] as const;

/**
 * Asymmetric JWS algorithms only (RFC 8725 §3.1-3.2): `none` and HMAC are never allowed, since a
 * public key must never double as a shared secret (the classic RS256 → HS256 confusion).
 */
export const ASYMMETRIC_ALGORITHMS = [
  ...RSA_ALGORITHMS,
  ...EC_ALGORITHMS,
  "EdDSA",
  "Ed25519",
] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];
