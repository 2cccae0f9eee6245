import { isAuthError } from "@repo/auth/server";
import { initTRPC } from "@trpc/server";
import type { Context } from "./context.ts";
import type { ProcedureMeta } from "./procedure-meta.ts";
import { publicError } from "./public-error.ts";

/**
 * The one tRPC instance. `isDev: false` keeps stacks out of every error response whatever
 * NODE_ENV says; the formatter adds the stable refusal `reason` (an AuthError code), turns an input
 * validation failure into `issues` (path, code and message of each, never the input or the
 * schema), and answers no message, path or issue that repeats what the caller sent, nor the
 * message of an unexpected error, which could carry internals (publicError).
 */
export const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    isDev: false,
    // SSE: a comment-sized ping every 15 s keeps proxies and balancers (idle timeouts of 60 s are
    // common) from cutting a quiet stream; a client that hears nothing for 40 s reconnects.
    sse: {
      ping: { enabled: true, intervalMs: 15_000 },
      client: { reconnectAfterInactivityMs: 40_000 },
    },
    errorFormatter({ shape, error }) {
      const answered = publicError(error, shape.message);
      return {
        ...shape,
        message: answered.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: answered.showPath ? shape.data.path : undefined,
          ...(isAuthError(error.cause) ? { reason: error.cause.code } : {}),
          ...(answered.issues === undefined ? {} : { issues: answered.issues }),
        },
      };
    },
  });
