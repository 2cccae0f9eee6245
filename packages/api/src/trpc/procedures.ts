import {
  type AccessToken,
  AuthError,
  isAuthError,
  missingScopes,
  withScheme,
} from "@repo/auth/server";
import { initTRPC, TRPCError } from "@trpc/server";
import { capLogText } from "../logging/cap-log-text.ts";
import { refusalToTRPCError } from "../refusal.ts";
import type { Context } from "./context.ts";
import { t } from "./init.ts";
import type { ProcedureMeta } from "./procedure-meta.ts";
import { withProcedureSpans } from "./trace-procedure.ts";
import { middlewareFunctions } from "./trpc-internals.ts";

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Callable by anyone. The explicit opt-out: there is deliberately no exported bare `t.procedure`,
 * so a new procedure is either declared public here or built on protectedProcedure
 * (describeProcedures reports anything else as undeclared, and a test fails on it).
 */
export const publicProcedure = withProcedureSpans(t.procedure).meta({ access: "public" });

/**
 * Verifies the access token, and its DPoP proof when the request has one or the token is bound
 * (RFC 9449 §7.1; the DPoP policy in the context decides); every refusal is logged with its reason and never the token (one line
 * per request, see logging/refusal-log.ts).
 * A subscription also takes a stream slot of the token's subject (429 past the bound) and is bound
 * to the token: it ends when the token expires or stops verifying (subscriptions/).
 */
const verifyBearer = t.middleware((opts) => {
  // A cached token goes on synchronously, with no promise between the header and the procedure; a
  // subscription always verifies, since its stream is bound to the token, and a DPoP request
  // always checks its proof, which no cache can hold.
  if (opts.type !== "subscription") {
    const { authorization } = opts.ctx;
    const candidate = authorization.cacheCandidate();
    const cached = candidate === undefined ? undefined : opts.ctx.verifier.cached(candidate);
    if (cached !== undefined && authorization.acceptsCached(cached)) {
      return opts.next({ ctx: { auth: cached } });
    }
  }
  return verifyThenContinue(opts, (auth) => opts.next({ ctx: { auth } }));
});
const verifyFunctions = middlewareFunctions(verifyBearer);

/** What verifyThenContinue reads of a middleware's options. */
interface VerifyCall {
  readonly ctx: Context;
  readonly path: string;
  readonly type: "query" | "mutation" | "subscription";
  readonly signal: AbortSignal | undefined;
}

/** Full verification (a cache miss, or a subscription), then the rest of the chain. */
async function verifyThenContinue<
  TResult extends { readonly ok: boolean; readonly data?: unknown },
>(opts: VerifyCall, next: (auth: AccessToken) => Promise<TResult>): Promise<TResult> {
  const { ctx, path, type } = opts;
  let token: string;
  let auth: AccessToken;
  try {
    const credential = ctx.authorization.credential();
    token = credential.token;
    auth = await ctx.verifier.verify(token);
    await ctx.authorization.prove(credential, auth);
  } catch (error) {
    throw refuse(ctx, path, error);
  }
  if (type !== "subscription") return next(auth);

  const slot = ctx.streams.open({
    token,
    auth,
    verify: (jwt) => ctx.verifier.verify(jwt),
    refuse: (error) => refuse(ctx, path, error),
    signal: opts.signal,
  });
  if (slot === undefined) {
    ctx.refusals.recordStreamRefusal(path, auth.sub);
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: "Too many open streams for this client",
    });
  }
  let result: TResult | undefined;
  try {
    result = await next(auth);
  } finally {
    if (result?.ok !== true) slot.release();
  }
  if (!result.ok) return result;
  const data: unknown = result.data;
  if (!isAsyncIterable(data)) {
    slot.release();
    // An observable cannot be ended from here: fail closed rather than stream unbound.
    throw new TRPCError({
      code: "INTERNAL_SERVER_ERROR",
      message: `Protected subscription ${path} must return an async iterable`,
    });
  }
  return { ...result, data: slot.bind(data) };
}

/**
 * Requires a valid access token (Bearer, or DPoP-bound with its proof); afterwards `ctx.auth` is the verified token (non-null).
 */
export const protectedProcedure = withProcedureSpans(t.procedure)
  .meta({ access: "protected" })
  .use(verifyBearer);

/** The context requireScopes runs in: only what protectedProcedure produces satisfies it. */
type ProtectedContext = Omit<Context, "auth"> & { readonly auth: AccessToken };

// A builder typed on the protected context: `.concat()` checks the base procedure's context
// against it, so `publicProcedure.concat(requireScopes("x"))` does not compile.
const afterProtected = initTRPC.context<ProtectedContext>().meta<ProcedureMeta>().create();

const scopeMiddlewares = new WeakSet<object>();

/**
 * The scopes a procedure needs, enforced and recorded in its meta (describeProcedures lists them):
 * `protectedProcedure.concat(requireScopes("write:messages"))`. Typed so that only a procedure
 * built on protectedProcedure accepts it. One per procedure, naming every scope (tRPC merges meta
 * shallowly, so a second would hide the first's scopes from the list; describeProcedures refuses).
 */
export function requireScopes(...required: [string, ...string[]]) {
  const middleware = afterProtected.middleware(async ({ ctx, next, path }) => {
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
  for (const fn of middlewareFunctions(middleware)) scopeMiddlewares.add(fn);
  return afterProtected.procedure.meta({ scopes: [...required] }).use(middleware);
}

/** Whether `fn` is a middleware that verifies the bearer token / enforces scopes. */
export function middlewareRole(fn: unknown): "verify" | "scopes" | undefined {
  if (typeof fn !== "function") return undefined;
  if (verifyFunctions.includes(fn)) return "verify";
  return scopeMiddlewares.has(fn) ? "scopes" : undefined;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === "function"
  );
}

/**
 * Record a refusal for the request's one refusal line (its reason, never the token; see
 * logging/refusal-log.ts) and map it to the tRPC error every transport answers from (see
 * http/refusal.ts); anything but an AuthError is an internal error.
 */
export function refuse(ctx: Context, path: string, error: unknown): TRPCError {
  if (!isAuthError(error)) {
    ctx.log.error(
      { event: "auth_error", path: capLogText(path), err: error },
      "token verification failed unexpectedly",
    );
    return new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
  }
  // A token or scope refusal does not know the scheme; the challenge must name the one the client
  // used (RFC 9449 §7.1), so a DPoP request is told in a DPoP challenge.
  const refusal = ctx.authorization.scheme() === "dpop" ? withScheme(error, "dpop") : error;
  ctx.refusals.record(path, refusal);
  ctx.onAuthRefused?.(refusal.code);
  return refusalToTRPCError(refusal);
}
