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
export type { TokenInfo, TokenSource } from "./token-source/token-source.ts";
