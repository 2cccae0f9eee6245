import type { TokenType } from "./token-response.ts";

/** A token obtained from the token endpoint, with what the client knows about its lifetime. */
export interface TokenInfo {
  readonly accessToken: string;
  /**
   * `Bearer`, or `DPoP` for a token bound to the DPoP signer's key (RFC 9449), which is sent
   * with the `DPoP` scheme and a proof, never as a bearer token.
   */
  readonly tokenType: TokenType;
  /** When the token expires: the time the request was sent plus `expires_in` (RFC 6749 §5.1). */
  readonly expiresAt: Date;
  /** `scope` as the token endpoint answered it (RFC 6749 §5.1), if it did. */
  readonly scope: string | undefined;
}

/** Hands out a current access token to whoever needs to call an API. */
export interface TokenSource {
  /** A token that stays valid for at least the refresh margin; fetched only when needed. */
  getToken(): Promise<string>;
  /** Like `getToken`, with the token's expiry and scope. */
  getTokenInfo(): Promise<TokenInfo>;
  /**
   * Forget the cached token, e.g. after an API answered 401 with it. With a `token`, only that
   * token is forgotten: a caller holding an older token cannot throw away a newer one, so many
   * concurrent 401s cause one refetch.
   */
  invalidate(token?: string): void;
}
