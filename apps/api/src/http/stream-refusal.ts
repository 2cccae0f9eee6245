import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type ContextDeps,
  createContext,
  protectedProcedure,
  type RefusalRecorder,
  refusalOf,
  refuse,
} from "@repo/api-router";
import { isAuthError } from "@repo/auth/server";
import {
  type AnyTRPCProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  type TRPCError,
  transformTRPCResponse,
} from "@trpc/server";
import type { Logger } from "../logger.ts";
import { authorizationHeader } from "./authorization-header.ts";
import { sendJson } from "./send-json.ts";
import { type RouterInternals, usesMiddlewaresOf } from "./trpc-internals.ts";

type Middleware = (opts: Record<string, unknown>) => Promise<unknown>;
interface MiddlewareResult {
  readonly ok: boolean;
  readonly error?: unknown;
}

/**
 * A jsonl stream (httpBatchStreamLink) starts with a 200 head before any call has run, so a
 * refusal inside it would reach monitoring as a success. Before such a stream starts, this runs
 * the middlewares of every call (never a resolver): when every call is a protected procedure and
 * every one is refused with the same status, the request is answered as a whole with that status,
 * the challenge (RFC 6750 §3) and tRPC's error envelope, which the stream link reads from any
 * non-2xx answer. Otherwise it returns false and the stream runs as usual.
 *
 * `names` and `params` are the request's procedure paths and query as parseTrpcTarget reads them,
 * which is how tRPC reads them: any spelling tRPC calls a procedure by is checked here too.
 *
 * The middlewares run again in the stream itself; verified tokens are cached, so the second run
 * costs a cache lookup. Refusals are logged here (one line for the request) only when the request
 * is refused as a whole.
 */
export function createStreamRefusal(
  deps: ContextDeps,
  internals: RouterInternals,
): (
  req: IncomingMessage,
  res: ServerResponse,
  names: readonly string[],
  params: URLSearchParams | undefined,
) => Promise<boolean> {
  const { config, procedures } = internals;
  const quiet: Logger = deps.log.child({}, { level: "silent" });

  return async (req, res, names, params) => {
    const calls: AnyTRPCProcedure[] = [];
    for (const name of names) {
      const procedure = Object.hasOwn(procedures, name) ? procedures[name] : undefined;
      if (procedure === undefined || !usesMiddlewaresOf(procedure, protectedProcedure))
        return false;
      calls.push(procedure);
    }
    const inputs = batchInputs(req, params);
    // Nothing of this first run is logged: the stream may still run, and log for itself.
    const ctx = createContext({ ...deps, log: quiet }, authorizationHeader(req), NOT_RECORDED);
    const errors = await Promise.all(
      calls.map((procedure, index) =>
        runGuards(procedure, {
          ctx,
          type: procedure._def.type,
          path: names[index],
          input: undefined,
          getRawInput: async () => {
            const raw = inputs?.[index];
            return raw === undefined ? undefined : config.transformer.input.deserialize(raw);
          },
          signal: undefined,
          batchIndex: index,
        }),
      ),
    );
    const refusals = errors.map((error) => (isAuthError(error?.cause) ? error : undefined));
    if (refusals.some((error) => error === undefined)) return false;
    const statuses = new Set(
      refusals.map((error) => refusalOf((error as TRPCError).cause as never).status),
    );
    if (statuses.size !== 1) return false;

    // Record each refusal as the procedure would have, for the request's one refusal line.
    const logged = { ...ctx, log: deps.log, refusals: deps.refusalLog.forResponse(res) };
    const trpcErrors = refusals.map((error, index) =>
      refuse(logged, names[index] as string, error?.cause),
    );
    const first = trpcErrors[0] as TRPCError;
    const refusal = refusalOf(first.cause as never, deps.resourceMetadataUrl?.());
    const shape = getErrorShape({
      config,
      error: first,
      type: calls[0]?._def.type ?? "query",
      path: undefined,
      input: undefined,
      ctx: logged,
    });
    sendJson(res, refusal.status, transformTRPCResponse(config, { error: shape }), {
      vary: "trpc-accept, accept",
      ...refusal.headers,
    });
    return true;
  };
}

const NOT_RECORDED: RefusalRecorder = { record() {}, recordStreamRefusal() {} };

/** The calls' raw inputs of a GET batch (`input={"0":...}`); a POST body is not read here. */
function batchInputs(
  req: IncomingMessage,
  params: URLSearchParams | undefined,
): Record<string, unknown> | undefined {
  if (req.method !== "GET") return undefined;
  const raw = params?.get("input");
  if (raw === null || raw === undefined || raw === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Run a procedure's middlewares as tRPC's callRecursive does, stopping where its resolver (the
 * last middleware) would run. Resolves with the error that stopped the chain, if any.
 */
async function runGuards(
  procedure: AnyTRPCProcedure,
  opts: Record<string, unknown>,
): Promise<TRPCError | undefined> {
  const all = (procedure._def as unknown as { middlewares: readonly Middleware[] }).middlewares;
  const guards = all.slice(0, -1);
  const meta = (procedure._def as { meta?: unknown }).meta;
  const call = async (
    index: number,
    callOpts: Record<string, unknown>,
  ): Promise<MiddlewareResult> => {
    const middleware = guards[index];
    if (middleware === undefined)
      return { ok: true, ...{ marker: undefined, data: undefined, ctx: callOpts.ctx } };
    try {
      return (await middleware({
        ...callOpts,
        meta,
        next(nextOpts?: Record<string, unknown>) {
          return call(index + 1, {
            ...callOpts,
            ctx: nextOpts?.ctx
              ? { ...(callOpts.ctx as object), ...(nextOpts.ctx as object) }
              : callOpts.ctx,
            input: nextOpts !== undefined && "input" in nextOpts ? nextOpts.input : callOpts.input,
            getRawInput: nextOpts?.getRawInput ?? callOpts.getRawInput,
          });
        },
      })) as MiddlewareResult;
    } catch (cause) {
      return { ok: false, error: getTRPCErrorFromUnknown(cause) };
    }
  };
  const result = await call(0, opts);
  return result.ok ? undefined : getTRPCErrorFromUnknown(result.error);
}
