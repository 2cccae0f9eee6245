import { isAuthError } from "@repo/auth/server";
import { initTRPC } from "@trpc/server";
import { z } from "zod";
import type { Context } from "./context.ts";
import type { ProcedureMeta } from "./procedure-meta.ts";

/**
 * The one tRPC instance. `isDev: false` keeps stacks out of every error response whatever
 * NODE_ENV says; the formatter adds the stable refusal `reason` (an AuthError code), turns an input
 * validation failure into `issues` (path, code and message of each, never the input or the
 * schema), and replaces the message of unexpected errors, which could carry internals, with a
 * generic one.
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
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      const invalidInput = error.code === "BAD_REQUEST" && error.cause instanceof z.ZodError;
      return {
        ...shape,
        message: internal
          ? "Internal server error"
          : invalidInput
            ? "Invalid input"
            : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          ...(isAuthError(error.cause) ? { reason: error.cause.code } : {}),
          ...(invalidInput ? { issues: inputIssues(error.cause as z.ZodError) } : {}),
        },
      };
    },
  });

/** What a caller needs to fix its input; zod's issues also carry schema details, left out here. */
function inputIssues(error: z.ZodError): Array<{ path: string; code: string; message: string }> {
  return error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join("."),
    code: issue.code,
    message: issue.message,
  }));
}
