/**
 * `@repo/auth/client`: obtaining machine-to-machine access tokens. Nothing here imports the
 * server side (verifier, key sets), so a client does not load jose or the JWKS machinery.
 */
export { ConfigurationError } from "./configuration-error.ts";
export { AuthError, type AuthErrorCode, isAuthError } from "./errors.ts";
export { clientCredentialsOptionsFromEnv } from "./token-source/client-credentials-env.ts";
export type {
  ClientCredentialsOptions,
  TokenRetryOptions,
} from "./token-source/client-credentials-options.ts";
export { createClientCredentialsTokenSource } from "./token-source/client-credentials-token-source.ts";
export type { TokenInfo, TokenSource } from "./token-source/token-source.ts";
