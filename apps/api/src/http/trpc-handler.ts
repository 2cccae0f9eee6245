import type { IncomingMessage, ServerResponse } from "node:http";
import {
  appRouter,
  capLogText,
  createContext,
  NO_STORE,
  refusalHeaders,
  refusalOptions,
  routerInternals,
} from "@repo/api-router";
import type { AnyTRPCRouter, TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { createFastQueryHandler } from "./fast-query-handler.ts";
import { type EdgeDeps, sharedRequestAuthorization } from "./request-credentials.ts";
import { sendJson } from "./send-json.ts";
import { createStreamRefusal } from "./stream-refusal.ts";
import { createSubscriptionOpenErrors } from "./subscription-open-errors.ts";
import { acceptsStream, parseTrpcTarget, TRPC_BASE_PATH } from "./trpc-request.ts";

export interface TrpcHandlerOptions extends EdgeDeps {
  readonly maxBodyBytes: number;
  /** Calls in one batch; a larger batch is 400 before any procedure runs. */
  readonly maxBatchSize: number;
  /** Serve plain GET queries without the fetch emulation (see fast-query-handler.ts). Default true. */
  readonly fastPath?: boolean;
  /** The router to serve, whose context is the api's Context. Default: the api's router. */
  readonly router?: AnyTRPCRouter;
}

/**
 * tRPC over HTTP under /trpc. Plain GET queries take the fast path; everything else (mutations,
 * streaming, method override, malformed input, batches over the limit) goes through the official
 * standalone adapter. Either way the challenge header comes from the first refused call: tRPC
 * headers apply to the whole response, so a batch mixing a refused protected call with a public one
 * still carries it (its status is then 207).
 */
export function createTrpcHandler(
  options: TrpcHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const router = options.router ?? appRouter;
  const { pathSeparator } = routerInternals(router);
  const responseHeaders = (errors: readonly { readonly cause?: unknown }[]) =>
    refusalHeaders(errors, refusalOptions(options));
  const onError = (error: TRPCError, path: string | undefined) => {
    if (error.code === "INTERNAL_SERVER_ERROR") {
      options.log.error(
        {
          event: "procedure_error",
          path: path === undefined ? undefined : capLogText(path),
          err: error.cause ?? error,
        },
        "procedure failed",
      );
    }
  };
  const subscriptionOpenErrors = createSubscriptionOpenErrors();
  const official = createHTTPHandler({
    router,
    basePath: TRPC_BASE_PATH,
    maxBodySize: options.maxBodyBytes,
    maxBatchSize: options.maxBatchSize,
    allowMethodOverride: false,
    createContext: ({ req, res }) =>
      createContext(
        options,
        sharedRequestAuthorization(req, options),
        options.refusalLog.forResponse(res),
      ),
    responseMeta({ errors, ctx, type }) {
      const refused = subscriptionOpenErrors.take(type, ctx);
      const headers = responseHeaders(refused === undefined ? errors : [refused.error]);
      // The api's server set no-store on every /trpc answer; an SSE head is the one where tRPC
      // writes its own Cache-Control (no-cache, no-transform) over it, and these are appended to it.
      const extra = type === "subscription" ? { ...headers, ...NO_STORE } : headers;
      return {
        ...(refused === undefined ? {} : { status: refused.status }),
        ...(extra === undefined ? {} : { headers: new Headers({ ...extra }) }),
      };
    },
    onError: ({ error, path, type, ctx }) => {
      subscriptionOpenErrors.record(error, type, ctx);
      onError(error, path);
    },
  });
  const fast =
    options.fastPath === false
      ? undefined
      : createFastQueryHandler({ ...options, router, responseHeaders, onError });
  const refuseStream = createStreamRefusal(options, router);

  return (req, res) => {
    const target = parseTrpcTarget(req.url ?? TRPC_BASE_PATH, pathSeparator);
    if (fast?.(req, res, target) === true) return;
    const { batch, paths } = target;
    if (
      !acceptsStream(req) ||
      !batch ||
      paths === undefined ||
      paths.length > options.maxBatchSize
    ) {
      official(req, res);
      return;
    }
    refuseStream(req, res, paths, target.params).then(
      (refused) => {
        if (!refused) official(req, res);
      },
      (error: unknown) => {
        options.log.error({ event: "request_failed", err: error }, "request failed");
        if (!res.headersSent)
          sendJson(res, 500, { error: "internal_error", message: "Internal server error" });
        else res.destroy();
      },
    );
  };
}
