/**
 * `@repo/auth/client`: obtaining machine-to-machine access tokens. Nothing here imports the
 * server side (verifier, key sets): jose is loaded only to sign client assertions and make key
 * pairs, and panva's `dpop` to sign DPoP proofs.
 */
export { createDpopFetch, type DpopFetchOptions } from "./dpop/dpop-fetch.ts";
export {
  createDpopSigner,
  type DpopAlgorithm,
  type DpopKeyPair,
  type DpopSigner,
  type DpopSignerOptions,
} from "./dpop/dpop-signer.ts";
export { AuthError, type AuthErrorCode, isAuthError } from "./errors.ts";
export type {
  ClientAuthMethod,
  ClientCredentialsOptions,
  TokenRetryOptions,
} from "./token-source/client-credentials-options.ts";
export { createClientCredentialsTokenSource } from "./token-source/client-credentials-token-source.ts";
export { type ClientKeyPair, generateClientKeyPair } from "./token-source/client-key-pair.ts";
export {
  CLIENT_ASSERTION_ALGORITHMS,
  type ClientAssertionAlgorithm,
  type ClientPrivateKey,
  type ParseClientPrivateKeyOptions,
  parseClientPrivateKey,
} from "./token-source/client-private-key.ts";
// How the token source describes what a server did, for a client to describe its own failures the
// same way: the system error code of a failed fetch, and server text made safe to print.
export { networkFailureReason } from "./token-source/network-failure.ts";
export { sanitizeServerText } from "./token-source/sanitize-server-text.ts";
export type { TokenType } from "./token-source/token-response.ts";
export type { TokenInfo, TokenSource } from "./token-source/token-source.ts";
