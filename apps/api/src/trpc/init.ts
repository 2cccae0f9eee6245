import { isAuthError } from "@repo/auth/server";
import { initTRPC } from "@trpc/server";
import type { Context } from "./context.ts";
import type { ProcedureMeta } from "./procedure-meta.ts";

/**
 * The one tRPC instance. `isDev: false` keeps stacks out of every error response whatever
 * NODE_ENV says; the formatter adds the stable refusal `reason` (an AuthError code) and replaces the
 * message of unexpected errors, which could carry internals, with a generic one.
 */
export const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      message: internal ? "Internal server error" : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        ...(isAuthError(error.cause) ? { reason: error.cause.code } : {}),
      },
    };
  },
});
