import {
  type ClientCredentialsOptions,
  resolveClientCredentialsOptions,
} from "./client-credentials-options.ts";
import { requestToken } from "./request-token.ts";
import { tokenRequestBuilder } from "./token-request.ts";
import type { TokenInfo, TokenSource } from "./token-source.ts";

interface CachedToken {
  readonly info: TokenInfo;
  /** From this instant on the token is inside its refresh margin and is no longer handed out. */
  readonly refreshAt: number;
}

/**
 * A token source for the OAuth 2.0 client credentials grant (RFC 6749 §4.4), e.g. AuthAction's
 * machine-to-machine tokens, authenticating with a secret or a signed assertion
 * (`clientAuthMethod`), optionally asking for DPoP-bound tokens (`dpop`). It caches the token until it is within the refresh margin of its
 * expiry (default 60 s, at most half the token's lifetime), and concurrent callers share one
 * in-flight request. Defaults: `clientAuthMethod` client_secret_post, `format` json with it and
 * form with the others, no DPoP, `requestTimeoutMs` 10 000, `retry` { maxAttempts 4,
 * baseDelayMs 200, maxDelayMs 5000, deadlineMs 30 000 }, `maxResponseBytes` 65 536, the system
 * clock and the global fetch.
 *
 * @throws TypeError at creation when an option is invalid. `getToken()` rejects with AuthError
 *   `token_request_refused`, `token_endpoint_unavailable` or `invalid_token_response`.
 */
export function createClientCredentialsTokenSource(options: ClientCredentialsOptions): TokenSource {
  const config = resolveClientCredentialsOptions(options);
  const buildRequest = tokenRequestBuilder(config);
  let cached: CachedToken | undefined;
  let inFlight: Promise<CachedToken> | undefined;

  async function fetchToken(): Promise<CachedToken> {
    // expires_in counts from when the server issued the token (RFC 6749 §5.1); the moment the
    // request left is the latest that can be, so the cached expiry is never later than the real one.
    const sentAt = config.clock.now();
    const response = await requestToken(config, buildRequest);
    const lifetimeMs = response.expiresInSeconds * 1000;
    const marginMs = Math.min(config.refreshMarginMs, lifetimeMs / 2);
    const token: CachedToken = {
      info: {
        accessToken: response.accessToken,
        tokenType: response.tokenType,
        expiresAt: new Date(sentAt + lifetimeMs),
        scope: response.scope,
      },
      refreshAt: sentAt + lifetimeMs - marginMs,
    };
    cached = token;
    return token;
  }

  async function getTokenInfo(): Promise<TokenInfo> {
    if (cached !== undefined && config.clock.now() < cached.refreshAt) return cached.info;
    if (inFlight === undefined) {
      inFlight = fetchToken().finally(() => {
        inFlight = undefined;
      });
    }
    return (await inFlight).info;
  }

  return {
    getTokenInfo,
    async getToken() {
      return (await getTokenInfo()).accessToken;
    },
    invalidate(token?: string) {
      if (token === undefined || cached?.info.accessToken === token) cached = undefined;
    },
  };
}
