import type { IncomingMessage, ServerResponse } from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { type AppRouter, appRouter } from "../router.ts";
import { type ContextDeps, createContext } from "../trpc/context.ts";
import { refusalHeaders } from "./refusal-headers.ts";

export interface TrpcHandlerOptions extends ContextDeps {
  readonly maxBodyBytes: number;
}

/**
 * tRPC over HTTP under /trpc (the official standalone adapter). The challenge header is set in
 * responseMeta from the first refused call: tRPC headers apply to the whole response, so a batch
 * that mixes a refused protected call with a public one still carries it (its status is then 207).
 */
export function createTrpcHandler(
  options: TrpcHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return createHTTPHandler<AppRouter>({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: options.maxBodyBytes,
    allowMethodOverride: false,
    createContext: ({ req }) => createContext(options, req.headers.authorization),
    responseMeta({ errors }) {
      for (const error of errors) {
        const headers = refusalHeaders(error.cause);
        if (headers !== undefined) return { headers: new Headers(headers) };
      }
      return {};
    },
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        options.log.error(
          { event: "procedure_error", path, err: error.cause ?? error },
          "procedure failed",
        );
      }
    },
  });
}
