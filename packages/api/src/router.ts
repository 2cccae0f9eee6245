import { z } from "zod";
import { messageText } from "./messages/message-text.ts";
import { checkedInput } from "./trpc/checked-input.ts";
import { protectedProcedure, publicProcedure, requireScopes, router } from "./trpc/procedures.ts";

/**
 * postMessage's input: checked before the procedure runs; anything else is a 400 whose issues
 * repeat nothing of the input (checkedInput).
 */
export const postMessageInput = checkedInput(z.strictObject({ text: messageText }));

/** onMessage's input: tRPC's SSE client adds `lastEventId` when it reconnects. */
const followInput = checkedInput(
  z.strictObject({ lastEventId: z.string().max(32).nullish() }).optional(),
);

/**
 * The api's procedures. Each stays a one-liner; anything bigger belongs in a module of its own.
 * The REST routes GET /public and GET /protected call `public` and `protected` through the same
 * middleware (see http/rest-routes.ts). README's procedure table lists them (describeProcedures).
 */
export const appRouter = router({
  public: publicProcedure.query(() => ({ message: "This is a public message!" })),
  protected: protectedProcedure.query(({ ctx }) => ({
    message: "This is a protected message!",
    sub: ctx.auth.sub,
  })),
  secret: protectedProcedure
    .concat(requireScopes("read:secret"))
    .query(({ ctx }) => ({ message: "This is a secret message!", sub: ctx.auth.sub })),
  postMessage: protectedProcedure
    .concat(requireScopes("write:messages"))
    .input(postMessageInput)
    .mutation(({ ctx, input }) => ctx.messages.post(input.text, ctx.auth.sub)),
  onMessage: protectedProcedure
    .concat(requireScopes("read:messages"))
    .input(followInput)
    .subscription(({ ctx, input, signal }) => ctx.messages.follow(input?.lastEventId, signal)),
});

export type AppRouter = typeof appRouter;
