import { protectedProcedure, publicProcedure, requireScopes, router } from "./trpc/procedures.ts";

/**
 * The api's procedures. Each stays a one-liner; anything bigger belongs in a module of its own.
 * The REST routes GET /public and GET /protected call `public` and `protected` through the same
 * middleware (see http/rest-routes.ts).
 */
export const appRouter = router({
  public: publicProcedure.query(() => ({ message: "This is a public message!" })),
  protected: protectedProcedure.query(({ ctx }) => ({
    message: "This is a protected message!",
    sub: ctx.auth.sub,
  })),
  secret: protectedProcedure
    .use(requireScopes("read:secret"))
    .query(({ ctx }) => ({ message: "This is a secret message!", sub: ctx.auth.sub })),
});

export type AppRouter = typeof appRouter;
