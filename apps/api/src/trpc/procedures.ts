import { type AccessToken, AuthError, isAuthError, missingScopes } from "@repo/auth/server";
import { TRPCError } from "@trpc/server";
import { refusalToTRPCError } from "../http/refusal.ts";
import type { Context } from "./context.ts";
import { t } from "./init.ts";

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Callable by anyone. The explicit opt-out: there is deliberately no exported bare `t.procedure`,
 * so a new procedure is either declared public here or built on protectedProcedure.
 */
export const publicProcedure = t.procedure;

/**
 * Requires a valid bearer access token; afterwards `ctx.auth` is the verified token (non-null).
 * Every refusal is logged once, with its reason and never the token.
 */
export const protectedProcedure = t.procedure.use(({ ctx, next, path }) => {
  // A cached token goes on synchronously: no promise of ours between the header and the procedure.
  const candidate = ctx.authorization.cacheCandidate();
  const cached = candidate === undefined ? undefined : ctx.verifier.cached(candidate);
  if (cached !== undefined) return next({ ctx: { auth: cached } });
  let jwt: string;
  try {
    jwt = ctx.authorization.bearerToken();
  } catch (error) {
    throw refuse(ctx, path, error);
  }
  return ctx.verifier.verify(jwt).then(
    (auth: AccessToken) => next({ ctx: { auth } }),
    (error: unknown) => {
      throw refuse(ctx, path, error);
    },
  );
});

/**
 * Middleware declaring the scopes a procedure needs: `protectedProcedure.use(requireScopes("a"))`.
 * It fails closed: used without protectedProcedure, `ctx.auth` is null and the call is refused.
 */
export function requireScopes(...required: [string, ...string[]]) {
  return t.middleware(async ({ ctx, next, path }) => {
    if (ctx.auth === null) {
      throw refuse(ctx, path, new AuthError("missing_token", "Authorization header required"));
    }
    const missing = missingScopes(ctx.auth.scopes, required);
    if (missing.length > 0) {
      const error = new AuthError("insufficient_scope", `Token lacks scope ${missing.join(" ")}`, {
        requiredScopes: required,
        subject: ctx.auth.sub,
        clientId: ctx.auth.clientId,
      });
      throw refuse(ctx, path, error);
    }
    return next();
  });
}

/**
 * Log a refusal once (its reason, never the token) and map it to the tRPC error every transport
 * answers from (see http/refusal.ts); anything but an AuthError is an internal error.
 */
export function refuse(ctx: Context, path: string, error: unknown): TRPCError {
  if (!isAuthError(error)) {
    ctx.log.error(
      { event: "auth_error", path, err: error },
      "token verification failed unexpectedly",
    );
    return new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
  }
  ctx.log.info(
    {
      event: "auth_refused",
      path,
      reason: error.code,
      kid: error.kid,
      sub: error.subject,
      clientId: error.clientId,
      detail: error.cause instanceof Error ? error.cause.message : error.cause,
    },
    "request refused",
  );
  ctx.onAuthRefused?.(error.code);
  return refusalToTRPCError(error);
}
