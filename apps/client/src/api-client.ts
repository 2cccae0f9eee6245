import type { AppRouter } from "@repo/api-router";
import { createDpopFetch, type DpopSigner, type TokenSource } from "@repo/auth/client";
import { bearerAuthHeaders, bearerAuthLink } from "@repo/auth/trpc-link";
import { bearerSubscriptionLink } from "@repo/auth/trpc-subscription-link";
import { createTRPCClient, httpBatchLink, splitLink, type TRPCClient } from "@trpc/client";

/** Options of `createApiClient`. */
export interface ApiClientOptions {
  /**
   * The signer the token source binds its tokens to: its DPoP-bound tokens go out with the DPoP
   * scheme and a fresh proof per request and connect. Default: none (bearer tokens only).
   */
  readonly dpop?: DpopSigner | undefined;
}

/**
 * The api's typed tRPC client, under `/trpc`, every call carrying a token from `tokenSource`:
 * queries and mutations batched over HTTP, subscriptions over SSE with a fresh token at every
 * (re)connect, a stream the api ends for an expired token reopened where it stopped. With
 * `options.dpop`, each of those requests also carries its own DPoP proof (RFC 9449).
 */
export function createApiClient(
  apiUrl: string,
  tokenSource: TokenSource,
  options: ApiClientOptions = {},
): TRPCClient<AppRouter> {
  const url = trpcUrl(apiUrl);
  const fetch = options.dpop === undefined ? undefined : createDpopFetch({ signer: options.dpop });
  return createTRPCClient<AppRouter>({
    links: [
      bearerAuthLink({ tokenSource }),
      splitLink({
        condition: (op) => op.type === "subscription",
        true: bearerSubscriptionLink({
          url,
          tokenSource,
          ...(fetch === undefined ? {} : { fetch }),
        }),
        false: httpBatchLink({
          url,
          headers: bearerAuthHeaders,
          ...(fetch === undefined ? {} : { fetch }),
        }),
      }),
    ],
  });
}

/** Where the api serves tRPC. */
export function trpcUrl(apiUrl: string): string {
  return `${apiUrl}/trpc`;
}
