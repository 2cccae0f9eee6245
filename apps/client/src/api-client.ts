import type { AppRouter } from "@repo/api-router";
import type { TokenSource } from "@repo/auth/client";
import { bearerAuthHeaders, bearerAuthLink } from "@repo/auth/trpc-link";
import { bearerSubscriptionLink } from "@repo/auth/trpc-subscription-link";
import { createTRPCClient, httpBatchLink, splitLink, type TRPCClient } from "@trpc/client";

/**
 * The api's typed tRPC client, under `/trpc`, every call carrying a token from `tokenSource`:
 * queries and mutations batched over HTTP, subscriptions over SSE with a fresh token at every
 * (re)connect, a stream the api ends for an expired token reopened where it stopped.
 */
export function createApiClient(apiUrl: string, tokenSource: TokenSource): TRPCClient<AppRouter> {
  const url = trpcUrl(apiUrl);
  return createTRPCClient<AppRouter>({
    links: [
      bearerAuthLink({ tokenSource }),
      splitLink({
        condition: (op) => op.type === "subscription",
        true: bearerSubscriptionLink({ url, tokenSource }),
        false: httpBatchLink({ url, headers: bearerAuthHeaders }),
      }),
    ],
  });
}

/** Where the api serves tRPC. */
export function trpcUrl(apiUrl: string): string {
  return `${apiUrl}/trpc`;
}
