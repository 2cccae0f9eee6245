// Type-level tests, checked by `pnpm typecheck` (tsc includes test/), never run: every
// `@ts-expect-error` below must stay an error, or tsc reports the directive as unused.
import type { TokenSource } from "@repo/auth/client";
import { expectTypeOf } from "vitest";
import { createApiClient } from "../src/api-client.ts";

declare const tokenSource: TokenSource;

export function typeTests(): void {
  const api = createApiClient("http://localhost:3000", tokenSource);

  // Result types come from the api's router, through `import type { AppRouter }`.
  expectTypeOf(api.public.query).returns.resolves.toEqualTypeOf<{ message: string }>();
  expectTypeOf(api.protected.query).returns.resolves.toEqualTypeOf<{
    message: string;
    sub: string;
  }>();
  expectTypeOf(api.secret.query).returns.resolves.toEqualTypeOf<{
    message: string;
    sub: string;
  }>();

  // @ts-expect-error there is no such procedure
  void api.doesNotExist.query();

  // @ts-expect-error `public` takes no input
  void api.public.query({ id: 1 });

  // @ts-expect-error `protected` is a query, not a mutation
  void api.protected.mutate();

  // The mutation's input and output come from its zod schema and resolver.
  expectTypeOf(api.postMessage.mutate).parameter(0).toEqualTypeOf<{ text: string }>();
  expectTypeOf(api.postMessage.mutate).returns.resolves.toEqualTypeOf<{
    readonly id: string;
    readonly text: string;
    readonly sub: string;
    readonly postedAt: string;
  }>();

  // @ts-expect-error `text` is required
  void api.postMessage.mutate({});

  // @ts-expect-error `text` is a string
  void api.postMessage.mutate({ text: 42 });

  // @ts-expect-error unknown keys are refused (a strict object)
  void api.postMessage.mutate({ text: "hi", sub: "someone-else" });

  // Subscribing: tracked events arrive as { id, data }.
  api.onMessage.subscribe(undefined, {
    onData: (event) => {
      expectTypeOf(event.id).toEqualTypeOf<string>();
      expectTypeOf(event.data.text).toEqualTypeOf<string>();
    },
  });

  // @ts-expect-error a renamed (or removed) subscription does not compile
  api.onMessages.subscribe(undefined, {});

  // @ts-expect-error a subscription is not a query
  void api.onMessage.query();
}
