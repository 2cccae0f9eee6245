/**
 * @repo/auth: what both sides share. Verifying lives in "@repo/auth/server", obtaining tokens in
 * "@repo/auth/client", the tRPC client link in "@repo/auth/trpc-link", so that a server never loads
 * client code and a client never loads the verifier.
 */
export type { AccessToken } from "./access-token.ts";
export { AuthError, type AuthErrorCode, isAuthError } from "./errors.ts";
