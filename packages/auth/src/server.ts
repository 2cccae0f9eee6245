/**
 * Server side of @repo/auth: verify OAuth 2.0 access tokens (JWT, RFC 9068) against an issuer's
 * JWKS. Import from "@repo/auth/server"; nothing here loads client-side code.
 */
export type { AccessToken } from "./access-token.ts";
export { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from "./asymmetric-algorithms.ts";
export {
  type BearerRefusal,
  type BearerRefusalOptions,
  bearerRefusal,
} from "./bearer-challenge.ts";
export {
  type AuthorizationCredential,
  parseAuthorizationHeader,
  parseBearerHeader,
} from "./bearer-header.ts";
export { type Clock, type Fetch, MAX_TIMER_MS, systemClock } from "./clock.ts";
export { DPOP_NONCE_WINDOW_MS, DpopNonces } from "./dpop/dpop-nonces.ts";
export {
  createDpopPolicy,
  DEFAULT_REPLAY_CACHE_MAX_ENTRIES,
  DPOP_MODES,
  type DpopMode,
  type DpopPolicy,
  type DpopPolicyOptions,
  type DpopRequest,
} from "./dpop/dpop-policy.ts";
export {
  accessTokenHash,
  DPOP_PROOF_MAX_AGE_SECONDS,
  DPOP_PROOF_MAX_FUTURE_SECONDS,
  DPOP_PROOF_MAX_LENGTH,
  type DpopProofExpectations,
  type VerifiedDpopProof,
  verifyDpopProof,
} from "./dpop/dpop-proof.ts";
export { normalizeHttpUri } from "./dpop/normalize-http-uri.ts";
export { AuthError, type AuthErrorCode, isAuthError, withScheme } from "./errors.ts";
export {
  DEFAULT_KEY_SET_POLICY,
  KEY_SET_POLICY_BOUNDS,
  type KeySetEvent,
  type KeySetPolicy,
  type KeySetStatus,
  type RefreshTrigger,
  RemoteKeySet,
  type RemoteKeySetOptions,
  type ResolvedKey,
} from "./key-set/remote-key-set.ts";
export type { IgnoredKey } from "./key-set/usable-keys.ts";
export { PRIVATE_JWK_MEMBERS, publicJwkProblem } from "./public-jwk.ts";
export { ReplayCache, type ReplayCacheOptions, type ReplayVerdict } from "./replay-cache.ts";
export { missingScopes, scopesFromClaims } from "./scopes.ts";
export {
  type AccessTokenVerifier,
  createAccessTokenVerifier,
  type VerifierStats,
} from "./verifier.ts";
export {
  type AccessTokenVerifierOptions,
  MAX_CLOCK_TOLERANCE_SECONDS,
  type ResolvedVerifierOptions,
  VERIFIER_BOUNDS,
} from "./verifier-options.ts";
