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
}
