import type { AppRouter } from "@repo/api";
import type { TokenSource } from "@repo/auth/client";
import { bearerAuthHeaders, bearerAuthLink } from "@repo/auth/trpc-link";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";

/** The api's typed tRPC client, under `/trpc`, every call carrying a token from `tokenSource`. */
export function createApiClient(apiUrl: string, tokenSource: TokenSource): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      bearerAuthLink({ tokenSource }),
      httpBatchLink({ url: trpcUrl(apiUrl), headers: bearerAuthHeaders }),
    ],
  });
}

/** Where the api serves tRPC. */
export function trpcUrl(apiUrl: string): string {
  return `${apiUrl}/trpc`;
}
