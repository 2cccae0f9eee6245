import type { IncomingMessage, ServerResponse } from "node:http";
import { type Context, type ContextDeps, createContext } from "@repo/api-router";
import {
  type AnyTRPCProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  TRPCError,
  transformTRPCResponse,
} from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";
import type { TRPCResponse } from "@trpc/server/rpc";
import { authorizationHeader } from "./authorization-header.ts";
import { callProcedure } from "./call-procedure.ts";
import { sendJson } from "./send-json.ts";
import type { RouterInternals } from "./trpc-internals.ts";
import { acceptsStream, type TrpcTarget } from "./trpc-request.ts";

interface FastCall {
  readonly path: string;
  readonly procedure: AnyTRPCProcedure;
  readonly input: unknown;
}

export interface FastQueryOptions extends ContextDeps {
  /** The served router's internals (routerInternals, checked once at start). */
  readonly internals: RouterInternals;
  /** Larger batches go to the official adapter, which refuses them with 400. */
  readonly maxBatchSize: number;
  /** Headers for the response, from the errors of its calls (the adapter's responseMeta). */
  readonly responseHeaders: (
    errors: readonly TRPCError[],
  ) => Readonly<Record<string, string>> | undefined;
  readonly onError: (error: TRPCError, path: string | undefined) => void;
}

/**
 * The hot path of tRPC over HTTP, without the fetch emulation. The official node adapter turns
 * every request into a WHATWG Request (URL, Headers, AbortController, a body stream) and its answer
 * back from a Response; profiling showed that conversion, not the procedures, dominating a query.
 *
 * This handles only the plain case: GET, JSON (no jsonl streaming, no SSE), every path a known
 * query procedure, input absent or valid JSON, a batch within maxBatchSize. It calls the procedures
 * as tRPC's resolveResponse does (same context, middleware, abort signal, error formatter,
 * getErrorShape, transformTRPCResponse, getHTTPStatusCode, and the same answers for results JSON
 * cannot carry), so the wire format is identical; a property test compares both paths. Anything
 * else returns false, untouched, and the caller hands the request to the official adapter.
 */
export function createFastQueryHandler(
  options: FastQueryOptions,
): (req: IncomingMessage, res: ServerResponse, target: TrpcTarget) => boolean {
  const { config, procedures } = options.internals;
  const { onError, responseHeaders } = options;

  function plan(target: TrpcTarget): { batch: boolean; calls: FastCall[] } | undefined {
    const { batch, params, paths } = target;
    if (params !== undefined) {
      for (const key of params.keys()) if (key !== "batch" && key !== "input") return undefined;
    }
    if (paths === undefined) return undefined;
    if (paths.length > options.maxBatchSize) return undefined;
    const rawInput = params?.get("input");
    let inputs: unknown;
    if (rawInput !== null && rawInput !== undefined && rawInput !== "") {
      try {
        inputs = JSON.parse(rawInput);
      } catch {
        return undefined;
      }
      if (batch && (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)))
        return undefined;
    }
    const calls: FastCall[] = [];
    for (const [index, path] of paths.entries()) {
      const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
      if (procedure === undefined || procedure._def.type !== "query") return undefined;
      const input = batch ? (inputs as Record<string, unknown> | undefined)?.[index] : inputs;
      calls.push({
        path,
        procedure,
        input: input === undefined ? undefined : config.transformer.input.deserialize(input),
      });
    }
    return { batch, calls };
  }

  function write(
    res: ServerResponse,
    status: number,
    body: string,
    errors: readonly TRPCError[],
  ): void {
    res.statusCode = status;
    res.setHeader("vary", "trpc-accept, accept");
    res.setHeader("content-type", "application/json");
    const extra = errors.length === 0 ? undefined : responseHeaders(errors);
    if (extra !== undefined)
      for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
    res.end(body);
  }

  async function respond(
    res: ServerResponse,
    batch: boolean,
    calls: FastCall[],
    ctx: Context,
    signal: AbortSignal | (() => AbortSignal),
  ): Promise<void> {
    const settled = await Promise.all(
      calls.map(async (call, batchIndex): Promise<[TRPCError | undefined, unknown]> => {
        try {
          const data: unknown = await callProcedure(call.procedure, {
            path: call.path,
            getRawInput: rawInputOf(call.input),
            ctx,
            type: "query",
            signal,
            batchIndex,
          });
          return [undefined, data];
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          onError(error, call.path);
          return [error, undefined];
        }
      }),
    );
    if (!batch && settled[0]?.[0] === undefined && isDataStream(settled[0]?.[1])) {
      // resolveResponse throws this for an unbatched call, answering it as a request-level error.
      throw streamInJsonError();
    }
    const errors: (TRPCError | undefined)[] = [];
    const responses = settled.map(([callError, data], index): TRPCResponse => {
      // Unbatched, the one result was checked above.
      const error = callError ?? (batch && isDataStream(data) ? streamInJsonError() : undefined);
      errors.push(error);
      if (error === undefined) return { result: { data } };
      const call = calls[index] as FastCall;
      const shape = getErrorShape({
        config,
        error,
        type: "query",
        path: call.path,
        input: call.input,
        ctx,
      });
      return { error: shape };
    });
    const failed = errors.filter((error) => error !== undefined);
    // Every call answered: 200, as getHTTPStatusCode says for a list of results.
    const status = failed.length === 0 ? 200 : getHTTPStatusCode(responses, errors as TRPCError[]);
    const body = JSON.stringify(
      batch ? responses.map(transformItem) : transformItem(responses[0] as TRPCResponse),
    );
    write(res, status, body, failed);
  }

  /**
   * transformTRPCResponse for one item. A result is `{ result: { data } }` and nothing else here,
   * so its transformed copy is written directly; tRPC makes it with two nested copies through its
   * down-levelled spread helper, about 1.5 µs on Node 20. Errors go through tRPC.
   */
  function transformItem(item: TRPCResponse): unknown {
    if ("error" in item) return transformTRPCResponse(config, item);
    return { result: { data: config.transformer.output.serialize(item.result.data) } };
  }

  /** What resolveResponse answers when the request as a whole fails (its caughtErrorToData). */
  function respondWithRequestError(res: ServerResponse, cause: unknown, ctx: Context): void {
    const error = getTRPCErrorFromUnknown(cause);
    onError(error, undefined);
    const json = {
      error: getErrorShape({
        config,
        error,
        type: "query",
        path: undefined,
        input: undefined,
        ctx,
      }),
    };
    const body = JSON.stringify(transformTRPCResponse(config, json));
    write(res, getHTTPStatusCode(json, [error]), body, [error]);
  }

  return (req, res, target) => {
    if (req.method !== "GET") return false;
    if (acceptsStream(req) || req.headers.accept?.includes("text/event-stream")) return false;
    const planned = plan(target);
    if (planned === undefined) return false;
    const ctx = createContext(
      options,
      authorizationHeader(req),
      options.refusalLog.forResponse(res),
    );
    // As the official adapter does: procedures see an abort when the client goes away first.
    const abort = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    respond(
      res,
      planned.batch,
      planned.calls,
      ctx,
      SIGNAL_ON_DEMAND ? () => abort.signal : abort.signal,
    )
      .catch((cause: unknown) => {
        if (res.headersSent) return res.destroy();
        respondWithRequestError(res, cause, ctx);
      })
      .catch((error: unknown) => {
        onError(getTRPCErrorFromUnknown(error), planned.calls.map((call) => call.path).join(","));
        // Only when the error formatter itself fails: a bare envelope, nothing from the error.
        if (!res.headersSent) sendJson(res, 500, INTERNAL_ERROR_BODY);
        else res.destroy();
      });
    return true;
  };
}

/**
 * Whether procedures get their AbortSignal made only if they read it. Node 20 (past its end of
 * life) spends about 4-5 µs creating one, and the accessor that defers it costs about 0.3 µs per
 * middleware layer; from Node 22 on a signal costs under 0.05 µs, less than the accessor, so it is
 * made up front. Either way procedures see the same signal (abort-signal.test.ts runs on both).
 */
const SIGNAL_ON_DEMAND = Number(process.versions.node.split(".")[0]) < 22;

/** Returned unnamed: see nextOf in call-procedure.ts (esbuild's keepNames names each closure). */
function rawInputOf(input: unknown): () => Promise<unknown> {
  return async () => input;
}

const INTERNAL_ERROR_BODY = { error: { message: "Internal server error", code: -32603 } };

function streamInJsonError(): TRPCError {
  return new TRPCError({
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
  });
}

// tRPC answers a result it would have to stream (an async iterable, or an object with a promise
// or async iterable as a direct value) with 415 outside a streaming request; the same test here.
// (Its own enumerable values, as tRPC's Object.values, read without making an array of them.)
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (Symbol.asyncIterator in value) return true;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = value[key];
    if (isPromiseLike(v) || (isObject(v) && Symbol.asyncIterator in v)) return true;
  }
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && !Array.isArray(value) && typeof value === "object";
}

function isPromiseLike(value: unknown): boolean {
  if (!isObject(value) && typeof value !== "function") return false;
  const candidate = value as { then?: unknown; catch?: unknown };
  return typeof candidate.then === "function" && typeof candidate.catch === "function";
}
