/**
 * `@repo/auth/client`: obtaining machine-to-machine access tokens. Nothing here imports the
 * server side (verifier, key sets), so a client does not load jose or the JWKS machinery.
 */
export { AuthError, type AuthErrorCode, isAuthError } from "./errors.ts";
export type {
  ClientCredentialsOptions,
  TokenRetryOptions,
} from "./token-source/client-credentials-options.ts";
export { createClientCredentialsTokenSource } from "./token-source/client-credentials-token-source.ts";
// How the token source describes what a server did, for a client to describe its own failures the
// same way: the system error code of a failed fetch, and server text made safe to print.
export { networkFailureReason } from "./token-source/network-failure.ts";
export { sanitizeServerText } from "./token-source/sanitize-server-text.ts";
export type { TokenInfo, TokenSource } from "./token-source/token-source.ts";
