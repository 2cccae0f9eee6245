/**
 * `@repo/auth/trpc-subscription-link`: tRPC v11 subscriptions over SSE with an access token, as
 * a bearer token or, DPoP-bound, with a proof per connect.
 *
 * A browser EventSource cannot send headers (tRPC #6950), and tRPC computes its EventSource options
 * once per subscription, so a header set there goes stale on reconnect (tRPC #6304). This link
 * uses the `eventsource` package, whose `fetch` option runs at every connect and reconnect: each
 * one asks the token source for a current token (and, through createDpopFetch, gets a new proof).
 */
import { httpSubscriptionLink, type Operation, type TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { EventSource, type FetchLike } from "eventsource";
import { authorizationHeader } from "./authorization-header.ts";
import { isDpopNonceChallenge } from "./dpop/dpop-nonce-challenge.ts";
import type { TokenSource } from "./token-source/token-source.ts";
import { readRefusalShape, streamAttemptOf } from "./trpc-stream-attempt.ts";

export interface BearerSubscriptionLinkOptions {
  /** The api's tRPC base URL, e.g. `http://localhost:3000/trpc`. */
  readonly url: string;
  /** Where tokens come from; its `tokenType` says which scheme each connect uses. */
  readonly tokenSource: Pick<TokenSource, "getTokenInfo" | "invalidate">;
  /**
   * What sends each connect. Default: the global fetch. With DPoP-bound tokens,
   * `createDpopFetch({ signer })` (from `@repo/auth/client`), which adds the proof.
   */
  readonly fetch?: typeof fetch;
}

/**
 * The terminating link for subscriptions. Put bearerAuthLink in front of it (through a splitLink)
 * so that a stream the api ends with 401 (its token expired or was refused) is reopened once
 * with a fresh token, resuming after the last event received:
 *
 * ```ts
 * createTRPCClient<AppRouter>({
 *   links: [
 *     bearerAuthLink({ tokenSource }),
 *     splitLink({
 *       condition: (op) => op.type === "subscription",
 *       true: bearerSubscriptionLink({ url, tokenSource }),
 *       false: httpBatchLink({ url, headers: bearerAuthHeaders }),
 *     }),
 *   ],
 * });
 * ```
 *
 * A connect answered 401 makes the token source forget that token, so the next connect (the
 * EventSource's own retry, or bearerAuthLink's) gets a new one; a DPoP nonce challenge does not,
 * since it refused the proof's missing or stale nonce, not the token.
 */
export function bearerSubscriptionLink<TRouter extends AnyTRPCRouter>(
  options: BearerSubscriptionLinkOptions,
): TRPCLink<TRouter> {
  const { tokenSource } = options;
  const baseFetch = options.fetch ?? globalThis.fetch;
  type LinkOptions = Parameters<typeof httpSubscriptionLink<TRouter, typeof EventSource>>[0];
  // The api has no transformer; a generic TRouter leaves tRPC's conditional option unresolved.
  const linkOptions = {
    url: options.url,
    EventSource,
    eventSourceOptions: ({ op }: { op: Operation }) => {
      const attempt = streamAttemptOf(op);
      const bearerFetch: FetchLike = async (url, init) => {
        const token = await tokenSource.getTokenInfo();
        if (attempt !== undefined) attempt.sent = token.accessToken;
        const response = await baseFetch(url, {
          ...init,
          headers: { ...init.headers, authorization: authorizationHeader(token) },
        });
        const nonceChallenge = isDpopNonceChallenge(response);
        if (response.status === 401 && !nonceChallenge) tokenSource.invalidate(token.accessToken);
        if (attempt === undefined) return response;
        attempt.status = response.status;
        attempt.refusal = undefined;
        if (response.status === 200) return response;
        // The EventSource fails the connection on any other status without reading the body;
        // read the refusal here so bearerAuthLink can report it like a query's.
        const shape = await readRefusalShape(response);
        const bodiless = new Response(null, { status: response.status, headers: response.headers });
        attempt.refusal = { response: bodiless, shape, nonceChallenge };
        return bodiless;
      };
      return { fetch: bearerFetch };
    },
  } as unknown as LinkOptions;
  return httpSubscriptionLink<TRouter, typeof EventSource>(linkOptions);
}
