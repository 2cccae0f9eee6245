// Type-level tests, checked by `pnpm typecheck` (tsc includes test/), never run: every
// `@ts-expect-error` below must stay an error, or tsc reports the directive as unused.
import { expectTypeOf } from "vitest";
import { protectedProcedure, publicProcedure, requireScopes } from "../src/trpc/procedures.ts";

export function typeTests(): void {
  // requireScopes runs after protectedProcedure: ctx.auth is the verified token there.
  const scoped = protectedProcedure.concat(requireScopes("write:messages"));
  scoped.query(({ ctx }) => expectTypeOf(ctx.auth.sub).toEqualTypeOf<string>());

  // @ts-expect-error requireScopes needs the verified token protectedProcedure provides
  publicProcedure.concat(requireScopes("read:secret"));

  // @ts-expect-error nor is it a middleware to `.use()` on a public procedure
  publicProcedure.use(requireScopes("read:secret"));

  // @ts-expect-error at least one scope
  requireScopes();
}
