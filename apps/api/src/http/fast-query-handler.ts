import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AnyTRPCProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  type TRPCError,
  transformTRPCResponse,
} from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";
import type { TRPCResponse } from "@trpc/server/rpc";
import { appRouter } from "../router.ts";
import { type Context, type ContextDeps, createContext } from "../trpc/context.ts";
import { authorizationHeader } from "./authorization-header.ts";

/** Largest batch served on the fast path; larger ones go through the official adapter. */
const MAX_FAST_BATCH = 16;

interface FastCall {
  readonly path: string;
  readonly procedure: AnyTRPCProcedure;
  readonly input: unknown;
}

export interface FastQueryHooks {
  /** Headers for the response, from the errors of its calls (the adapter's responseMeta). */
  readonly responseHeaders: (errors: readonly TRPCError[]) => Record<string, string> | undefined;
  readonly onError: (error: TRPCError, path: string) => void;
}

/**
 * The hot path of tRPC over HTTP, without the fetch emulation. The official node adapter turns
 * every request into a WHATWG Request (URL, Headers, AbortController, a body stream) and its answer
 * back from a Response; profiling showed that conversion, not the procedures, dominating a query.
 *
 * This handles only the plain case: GET, JSON (no `trpc-accept: application/jsonl` streaming, no
 * SSE), every path a known query procedure, input absent or valid JSON. It calls the procedures
 * exactly as tRPC's resolveResponse does (same context, same middleware, same error formatter,
 * getErrorShape, transformTRPCResponse and getHTTPStatusCode), so the wire format is identical;
 * a differential test compares both paths. Anything else returns false, untouched, and the caller
 * hands the request to the official adapter.
 */
export function createFastQueryHandler(
  deps: ContextDeps,
  hooks: FastQueryHooks,
): (req: IncomingMessage, res: ServerResponse, procedurePath: string, search: string) => boolean {
  const config = appRouter._def._config;
  const procedures = appRouter._def.procedures as Record<string, AnyTRPCProcedure | undefined>;

  function plan(
    procedurePath: string,
    search: string,
  ): { batch: boolean; calls: FastCall[] } | undefined {
    const params = search === "" ? undefined : new URLSearchParams(search);
    if (params !== undefined) {
      for (const key of params.keys()) if (key !== "batch" && key !== "input") return undefined;
    }
    const batch = params?.get("batch") === "1";
    let paths: string[];
    try {
      paths = batch
        ? procedurePath.split(",").map(decodeURIComponent)
        : [decodeURIComponent(procedurePath)];
    } catch {
      return undefined;
    }
    if (paths.length > MAX_FAST_BATCH) return undefined;
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

  async function respond(
    res: ServerResponse,
    batch: boolean,
    calls: FastCall[],
    ctx: Context,
  ): Promise<void> {
    const settled = await Promise.all(
      calls.map(
        async (call, batchIndex): Promise<[TRPCError, undefined] | [undefined, unknown]> => {
          try {
            const data: unknown = await call.procedure({
              path: call.path,
              getRawInput: async () => call.input,
              ctx,
              type: "query",
              signal: undefined,
              batchIndex,
            });
            return [undefined, data];
          } catch (cause) {
            const error = getTRPCErrorFromUnknown(cause);
            hooks.onError(error, call.path);
            return [error, undefined];
          }
        },
      ),
    );
    const errors: TRPCError[] = [];
    const responses = settled.map(([error, data], index): TRPCResponse => {
      if (error === undefined) return { result: { data } };
      errors.push(error);
      const call = calls[index] as FastCall;
      return {
        error: getErrorShape({
          config,
          error,
          type: "query",
          path: call.path,
          input: call.input,
          ctx,
        }),
      };
    });
    const status = getHTTPStatusCode(responses, settled.map(([error]) => error) as TRPCError[]);
    const body = JSON.stringify(
      transformTRPCResponse(config, batch ? responses : (responses[0] as TRPCResponse)),
    );
    res.statusCode = status;
    res.setHeader("vary", "trpc-accept, accept");
    const extra = errors.length === 0 ? undefined : hooks.responseHeaders(errors);
    if (extra !== undefined)
      for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
    res.setHeader("content-type", "application/json");
    res.end(body);
  }

  return (req, res, procedurePath, search) => {
    if (req.method !== "GET") return false;
    if (req.headers["trpc-accept"] !== undefined) return false;
    const accept = req.headers.accept;
    if (accept?.includes("text/event-stream")) return false;
    const planned = plan(procedurePath, search);
    if (planned === undefined) return false;
    const ctx = createContext(deps, authorizationHeader(req));
    respond(res, planned.batch, planned.calls, ctx).catch((error: unknown) => {
      hooks.onError(getTRPCErrorFromUnknown(error), procedurePath);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader("content-type", "application/json");
        res.end('{"error":{"message":"Internal server error","code":-32603}}');
      } else res.destroy();
    });
    return true;
  };
}
