import type { TokenInfo } from "./token-source/token-source.ts";

/**
 * The `Authorization` value for a token: a DPoP-bound one with the `DPoP` scheme, never as a
 * bearer token (RFC 9449 §7.1; a resource that checks DPoP refuses the downgrade), any other as
 * `Bearer` (RFC 6750 §2.1).
 */
export function authorizationHeader(token: Pick<TokenInfo, "accessToken" | "tokenType">): string {
  return `${token.tokenType === "DPoP" ? "DPoP" : "Bearer"} ${token.accessToken}`;
}
