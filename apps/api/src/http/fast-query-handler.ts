import type { IncomingMessage, ServerResponse } from "node:http";
import { type Context, createContext, routerInternals } from "@repo/api-router";
import {
  type AnyTRPCRouter,
  getErrorShape,
  getTRPCErrorFromUnknown,
  TRPCError,
  transformTRPCResponse,
} from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";
import type { TRPCResponse } from "@trpc/server/rpc";
import {
  callProcedure,
  isAsyncIterable,
  isObject,
  isPromise,
} from "@trpc/server/unstable-core-do-not-import";
import { type EdgeDeps, requestAuthorization } from "./request-credentials.ts";
import { sendJson } from "./send-json.ts";
import { acceptsStream, type TrpcTarget } from "./trpc-request.ts";

export interface FastQueryOptions extends EdgeDeps {
  readonly router: AnyTRPCRouter;
  /** Larger batches go to the official adapter, which refuses them with 400. */
  readonly maxBatchSize: number;
  /** Headers for the response, from the errors of its calls (the adapter's responseMeta). */
  readonly responseHeaders: (
    errors: readonly TRPCError[],
  ) => Readonly<Record<string, string>> | undefined;
  readonly onError: (error: TRPCError, path: string | undefined) => void;
}

interface Call {
  readonly path: string;
  readonly input: unknown;
}

/**
 * Plain GET queries (one call or a batch, as httpLink and httpBatchLink send them) answered without
 * the official adapter's conversion of every request to a fetch Request and back, which costs more
 * than a cached protected call itself. The procedures run through tRPC's own callProcedure, and the
 * answer is built with tRPC's getErrorShape, transformTRPCResponse and getHTTPStatusCode, so the
 * wire format is the adapter's (fast-path-property.test.ts compares both, byte for byte).
 * Anything else (another method, jsonl or SSE, an unknown or non-query procedure, input that is not
 * JSON, a batch over maxBatchSize, other query parameters) returns false, untouched, for the
 * official adapter.
 */
export function createFastQueryHandler(
  options: FastQueryOptions,
): (req: IncomingMessage, res: ServerResponse, target: TrpcTarget) => boolean {
  const { router, onError, responseHeaders } = options;
  const { config, procedures } = routerInternals(router);

  function plan({ batch, params, paths }: TrpcTarget): Call[] | undefined {
    if (paths === undefined || paths.length > options.maxBatchSize) return undefined;
    if (params !== undefined) {
      for (const key of params.keys()) if (key !== "batch" && key !== "input") return undefined;
    }
    const rawInput = params?.get("input");
    let inputs: unknown;
    if (rawInput !== null && rawInput !== undefined && rawInput !== "") {
      try {
        inputs = JSON.parse(rawInput);
      } catch {
        return undefined;
      }
      if (batch && !isObject(inputs)) return undefined;
    }
    const calls: Call[] = [];
    for (const [index, path] of paths.entries()) {
      if (procedures.get(path)?.kind !== "query") return undefined;
      const input = batch ? (inputs as Record<string, unknown> | undefined)?.[index] : inputs;
      calls.push({
        path,
        input: input === undefined ? undefined : config.transformer.input.deserialize(input),
      });
    }
    return calls;
  }

  /** The head as resolveResponse builds it: set before the body is serialised, kept if it fails. */
  function setHeaders(res: ServerResponse, errors: TRPCError[]): void {
    res.setHeader("vary", "trpc-accept, accept");
    res.setHeader("content-type", "application/json");
    const extra = errors.length === 0 ? undefined : responseHeaders(errors);
    if (extra !== undefined)
      for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
  }

  async function call(
    { path, input }: Call,
    batchIndex: number,
    ctx: Context,
    signal: AbortSignal,
  ): Promise<[TRPCError | undefined, unknown]> {
    try {
      const data: unknown = await callProcedure({
        router,
        path,
        getRawInput: input === undefined ? NO_INPUT : rawInputOf(input),
        ctx,
        type: "query",
        signal,
        batchIndex,
      });
      return [undefined, data];
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      onError(error, path);
      return [error, undefined];
    }
  }

  /** resolveResponse's answer to a GET of queries that is not a stream (its last branch). */
  async function respond(
    res: ServerResponse,
    batch: boolean,
    calls: Call[],
    ctx: Context,
    signal: AbortSignal,
  ): Promise<void> {
    const settled = await Promise.all(calls.map((c, index) => call(c, index, ctx, signal)));
    const errors = settled.map(([error, data]) =>
      error === undefined && isDataStream(data) ? streamInJsonError() : error,
    );
    // A result only a stream can carry fails its call in a batch, and the request when unbatched.
    if (!batch && settled[0]?.[0] === undefined && errors[0] !== undefined) throw errors[0];
    const responses = errors.map((error, index): TRPCResponse => {
      if (error === undefined) return { result: { data: settled[index]?.[1] } };
      const { path, input } = calls[index] as Call;
      return { error: getErrorShape({ config, error, type: "query", path, input, ctx }) };
    });
    // tRPC reads each answer's status from its error, index by index.
    const status = getHTTPStatusCode(responses, errors as TRPCError[]);
    const failed = errors.filter((error) => error !== undefined);
    setHeaders(res, failed);
    const body = batch ? responses.map(transform) : transform(responses[0] as TRPCResponse);
    res.statusCode = status;
    res.end(JSON.stringify(body));
  }

  /**
   * transformTRPCResponse of one answer. A result is `{ result: { data } }`, so its transformed
   * copy is built here: tRPC's generic copy of it costs more than calling the procedure.
   */
  function transform(response: TRPCResponse): unknown {
    if ("error" in response) return transformTRPCResponse(config, response);
    return { result: { data: config.transformer.output.serialize(response.result.data) } };
  }

  /** What resolveResponse answers when the request as a whole fails (its caughtErrorToData). */
  function respondWithRequestError(res: ServerResponse, cause: unknown, ctx: Context): void {
    const error = getTRPCErrorFromUnknown(cause);
    onError(error, undefined);
    const shape = getErrorShape({
      config,
      error,
      type: "query",
      path: undefined,
      input: undefined,
      ctx,
    });
    const json = { error: shape };
    const body = JSON.stringify(transformTRPCResponse(config, json));
    setHeaders(res, [error]);
    res.statusCode = getHTTPStatusCode(json, [error]);
    res.end(body);
  }

  return (req, res, target) => {
    if (req.method !== "GET") return false;
    if (acceptsStream(req) || req.headers.accept?.includes("text/event-stream")) return false;
    const calls = plan(target);
    if (calls === undefined) return false;
    const ctx = createContext(
      options,
      requestAuthorization(req, options),
      options.refusalLog.forResponse(res),
    );
    // As the official adapter does: procedures see an abort when the client goes away first.
    const abort = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    respond(res, target.batch, calls, ctx, abort.signal)
      .catch((cause: unknown) => {
        if (res.headersSent) return res.destroy();
        respondWithRequestError(res, cause, ctx);
      })
      .catch((error: unknown) => {
        onError(getTRPCErrorFromUnknown(error), calls.map((c) => c.path).join(","));
        // Only when the error formatter itself fails: a bare envelope, nothing from the error.
        if (!res.headersSent) sendJson(res, 500, INTERNAL_ERROR_BODY);
        else res.destroy();
      });
    return true;
  };
}

const NO_INPUT = async (): Promise<undefined> => undefined;

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

/** tRPC's test for a result only a stream can carry (resolveResponse's isDataStream). */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromise) || values.some(isAsyncIterable);
}
