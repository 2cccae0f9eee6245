/**
 * @repo/auth: what both sides share. Verifying lives in "@repo/auth/server", obtaining tokens in
 * "@repo/auth/client", the tRPC client link in "@repo/auth/trpc-link", so that a server never loads
 * client code and a client never loads the verifier.
 */
export type { AccessToken } from "./access-token.ts";
export { ConfigurationError } from "./configuration-error.ts";
export { loadDotEnv } from "./dotenv.ts";
export { boolVar, intVar, parseEnv, urlVar } from "./env-schema.ts";
export { AuthError, type AuthErrorCode, isAuthError } from "./errors.ts";
export { type Tenant, tenantFromEnv } from "./tenant.ts";
