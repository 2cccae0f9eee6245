import type { AppRouter } from "@repo/api-router";
import { createClientCredentialsTokenSource, type TokenSource } from "@repo/auth/client";
import { bearerAuthHeaders, bearerAuthLink } from "@repo/auth/trpc-link";
import { bearerSubscriptionLink } from "@repo/auth/trpc-subscription-link";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from "@trpc/client";
import { EventSource } from "eventsource";
import type { Stack } from "./start-stack.ts";

/** A client sending one fixed token on every call and stream, with no recovery at all. */
export function fixedTokenClient(stack: Stack, token: string): TRPCClient<AppRouter> {
  const url = `${stack.api.url}/trpc`;
  const authorization = `Bearer ${token}`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: {
            fetch: (input, init) =>
              fetch(input, { ...init, headers: { ...init.headers, authorization } }),
          },
        }),
        false: httpBatchLink({ url, headers: { authorization } }),
      }),
    ],
  });
}

/** A real client-credentials token source against the stack's issuer. */
export function tokenSourceFor(stack: Stack, clientId = "demo-client"): TokenSource {
  return createClientCredentialsTokenSource({
    tokenUrl: stack.issuer.tokenUrl,
    clientId,
    clientSecret: clientId === "demo-client" ? "demo-secret" : "limited-secret",
    audience: stack.issuer.audience,
  });
}

/** The client as the client app builds it: bearer link, SSE link with fresh tokens, batching. */
export function renewingClient(stack: Stack, tokenSource: TokenSource): TRPCClient<AppRouter> {
  const url = `${stack.api.url}/trpc`;
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
