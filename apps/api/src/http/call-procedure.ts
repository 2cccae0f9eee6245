import { contextPastCachedVerify } from "@repo/api-router";
import { type AnyTRPCProcedure, getTRPCErrorFromUnknown, TRPCError } from "@trpc/server";

/** What a procedure is called with, as tRPC's resolveResponse and server-side caller pass it. */
export interface ProcedureCallOptions {
  readonly path: string;
  readonly getRawInput: () => Promise<unknown>;
  readonly ctx: object;
  readonly type: "query" | "mutation" | "subscription";
  /**
   * The call's abort signal, or a function making it: procedures then read it through a getter,
   * and it is made only when one does. An AbortSignal costs about 5 µs to create on Node 20 (its
   * EventTarget set-up; under 0.1 µs on Node 24), more than the rest of a cached protected call.
   */
  readonly signal: AbortSignal | undefined | (() => AbortSignal);
  readonly batchIndex: number;
}

interface MiddlewareResult {
  readonly ok: boolean;
  readonly data?: unknown;
  readonly error?: unknown;
  readonly marker?: string;
}
type Middleware = (opts: Record<string, unknown>) => Promise<MiddlewareResult> | MiddlewareResult;
interface ProcedureDef {
  readonly middlewares: readonly Middleware[];
  readonly meta: unknown;
  readonly experimental_caller?: boolean;
}
type CallState = ProcedureCallOptions & { readonly input?: unknown };
interface NextOptions {
  readonly ctx?: object;
  readonly input?: unknown;
  readonly getRawInput?: () => Promise<unknown>;
}

/** tRPC's marker on a middleware result (its `middlewareMarker`), kept for fidelity. */
const MIDDLEWARE_MARKER = "middlewareMarker";

/**
 * Call a procedure exactly as calling it does (`procedure(opts)`: tRPC's createProcedureCaller and
 * callRecursive, @trpc/server 11.25.2, the pinned version): its middlewares in order, each given
 * the options plus `meta`, `input` and `next`; `next({ ctx })` merges the context; a throw anywhere
 * becomes the call's TRPCError; the resolver's data is the result. The only difference is how the
 * options are copied: tRPC spreads the whole options object into a new one at every layer, twice
 * (with a down-levelled spread helper, a defineProperty per key), which cost about 4 µs per
 * middleware layer on Node 20; the options of a call have a fixed set of keys, so they are copied
 * key by key here (about 0.3 µs). A procedure with a custom caller (experimental_caller) is called
 * through tRPC itself. call-procedure.test.ts compares both for every procedure of the api.
 *
 * One step is taken in place: a chain that begins with protectedProcedure's verifyBearer, called
 * with a token the verifier's cache holds, begins past it with the context it would pass on
 * (contextPastCachedVerify), as if it had called `next({ ctx: { auth } })`.
 */
export async function callProcedure(
  procedure: AnyTRPCProcedure,
  opts: ProcedureCallOptions,
): Promise<unknown> {
  const def = procedure._def as unknown as ProcedureDef;
  if (def.experimental_caller === true) {
    const signal = typeof opts.signal === "function" ? opts.signal() : opts.signal;
    return procedure({ ...opts, signal });
  }
  const verified = contextPastCachedVerify(def.middlewares, opts.ctx, opts.type);
  const result = await callFrom(def, verified === undefined ? 0 : 1, {
    path: opts.path,
    getRawInput: opts.getRawInput,
    ctx: verified ?? opts.ctx,
    type: opts.type,
    signal: opts.signal,
    batchIndex: opts.batchIndex,
    input: undefined,
  });
  if (!result) {
    throw new TRPCError({
      code: "INTERNAL_SERVER_ERROR",
      message: "No result from middlewares - did you forget to `return next()`?",
    });
  }
  if (!result.ok) throw result.error;
  return result.data;
}

async function callFrom(
  def: ProcedureDef,
  index: number,
  state: CallState,
): Promise<MiddlewareResult> {
  try {
    const middleware = def.middlewares[index] as Middleware;
    return await middleware(middlewareOptions(def, state, nextOf(def, index, state)));
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: MIDDLEWARE_MARKER };
  }
}

/**
 * A middleware's `next`. Made by a function of its own and returned unnamed: a closure bound to a
 * name gets that name set at every creation when compiled with esbuild's keepNames (as tsx runs
 * the api), a defineProperty per middleware layer.
 */
function nextOf(
  def: ProcedureDef,
  index: number,
  state: CallState,
): (nextOpts?: NextOptions) => Promise<MiddlewareResult> {
  return (nextOpts) =>
    callFrom(def, index + 1, {
      path: state.path,
      getRawInput: nextOpts?.getRawInput ?? state.getRawInput,
      ctx: nextOpts?.ctx ? { ...state.ctx, ...nextOpts.ctx } : state.ctx,
      type: state.type,
      signal: state.signal,
      batchIndex: state.batchIndex,
      input: nextOpts && "input" in nextOpts ? nextOpts.input : state.input,
    });
}

/** The keys tRPC's spread gives a middleware, in its order, copied one by one. */
function middlewareOptions(
  def: ProcedureDef,
  state: CallState,
  next: (nextOpts?: NextOptions) => Promise<MiddlewareResult>,
): Record<string, unknown> {
  const signal = state.signal;
  if (typeof signal === "function") return new LazySignalOptions(def, state, signal, next);
  return {
    path: state.path,
    getRawInput: state.getRawInput,
    ctx: state.ctx,
    type: state.type,
    signal,
    batchIndex: state.batchIndex,
    meta: def.meta,
    input: state.input,
    next,
  };
}

/**
 * A middleware's options whose `signal` is made when first read: the same own enumerable keys in
 * the same order as tRPC's (so a spread copies the signal), with `signal` an accessor.
 *
 * The accessor is one function shared by every instance, defined on each with the same
 * descriptor. An object literal's `get signal() {}` makes a new function per object, and V8 keeps
 * such an object in dictionary mode (a property dictionary of its own). Under load that made each
 * scavenge keep about a third of what requests had allocated and take 10-17 ms instead of under
 * 1 ms: about a fifth of the api's time on tRPC routes, and a p99 4× the REST routes'.
 * call-procedure.test.ts checks the shape with V8's natives.
 */
class LazySignalOptions {
  [key: string]: unknown;
  readonly #makeSignal: () => AbortSignal;

  constructor(
    def: ProcedureDef,
    state: CallState,
    makeSignal: () => AbortSignal,
    next: (nextOpts?: NextOptions) => Promise<MiddlewareResult>,
  ) {
    this.#makeSignal = makeSignal;
    this.path = state.path;
    this.getRawInput = state.getRawInput;
    this.ctx = state.ctx;
    this.type = state.type;
    Object.defineProperty(this, "signal", LAZY_SIGNAL);
    this.batchIndex = state.batchIndex;
    this.meta = def.meta;
    this.input = state.input;
    this.next = next;
  }

  static signalOf(options: LazySignalOptions): AbortSignal {
    return options.#makeSignal();
  }
}

const LAZY_SIGNAL: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: LazySignalOptions): AbortSignal {
    return LazySignalOptions.signalOf(this);
  },
};
