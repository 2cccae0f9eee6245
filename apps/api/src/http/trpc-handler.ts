import type { IncomingMessage, ServerResponse } from "node:http";
import type { TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { type AppRouter, appRouter } from "../router.ts";
import { type ContextDeps, createContext } from "../trpc/context.ts";
import { authorizationHeader } from "./authorization-header.ts";
import { createFastQueryHandler } from "./fast-query-handler.ts";
import { refusalHeaders } from "./refusal-headers.ts";
import { createSubscriptionOpenErrors } from "./subscription-open-errors.ts";

export interface TrpcHandlerOptions extends ContextDeps {
  readonly maxBodyBytes: number;
  /** Serve plain GET queries without the fetch emulation (see fast-query-handler.ts). Default true. */
  readonly fastPath?: boolean;
}

const BASE_PATH = "/trpc/";

/**
 * tRPC over HTTP under /trpc. Plain GET queries take the fast path; everything else (mutations,
 * streaming, method override, malformed input) goes through the official standalone adapter.
 * Either way the challenge header comes from the first refused call: tRPC headers apply to the
 * whole response, so a batch mixing a refused protected call with a public one still carries it
 * (its status is then 207).
 */
export function createTrpcHandler(
  options: TrpcHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const responseHeaders = (errors: readonly TRPCError[]) => {
    for (const error of errors) {
      const headers = refusalHeaders(error.cause, options.resourceMetadataUrl);
      if (headers !== undefined) return headers;
    }
    return undefined;
  };
  const onError = (error: TRPCError, path: string | undefined) => {
    if (error.code === "INTERNAL_SERVER_ERROR") {
      options.log.error(
        { event: "procedure_error", path, err: error.cause ?? error },
        "procedure failed",
      );
    }
  };
  const subscriptionOpenErrors = createSubscriptionOpenErrors();
  const official = createHTTPHandler<AppRouter>({
    router: appRouter,
    basePath: BASE_PATH,
    maxBodySize: options.maxBodyBytes,
    allowMethodOverride: false,
    createContext: ({ req }) => createContext(options, authorizationHeader(req)),
    responseMeta({ errors, ctx, type }) {
      const refused = subscriptionOpenErrors.take(type, ctx);
      const headers = responseHeaders(refused === undefined ? errors : [refused.error]);
      return {
        ...(refused === undefined ? {} : { status: refused.status }),
        ...(headers === undefined ? {} : { headers: new Headers(headers) }),
      };
    },
    onError: ({ error, path, type, ctx }) => {
      subscriptionOpenErrors.record(error, type, ctx);
      onError(error, path);
    },
  });
  if (options.fastPath === false) return official;
  const fast = createFastQueryHandler(options, { responseHeaders, onError });
  return (req, res) => {
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const path = url.slice(BASE_PATH.length, query === -1 ? undefined : query);
    const search = query === -1 ? "" : url.slice(query + 1);
    if (!fast(req, res, path, search)) official(req, res);
  };
}
