import type { IncomingMessage, ServerResponse } from "node:http";
import { isAuthError } from "@repo/auth/server";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { appRouter } from "../router.ts";
import { type ContextDeps, createContext } from "../trpc/context.ts";
import { createCallerFactory } from "../trpc/procedures.ts";
import { authorizationHeader } from "./authorization-header.ts";
import { refusalOf } from "./refusal.ts";
import { sendJson } from "./send-json.ts";

const createCaller = createCallerFactory(appRouter);

/**
 * The REST face of the original Django example: the same procedures and middleware as /trpc,
 * called through tRPC's server-side caller, answering their output as plain JSON (no envelope).
 */
export const REST_ROUTES = {
  "/public": (caller: ReturnType<typeof createCaller>) => caller.public(),
  "/protected": (caller: ReturnType<typeof createCaller>) => caller.protected(),
} as const;

export type RestPath = keyof typeof REST_ROUTES;

export function isRestPath(path: string): path is RestPath {
  return Object.hasOwn(REST_ROUTES, path);
}

export async function handleRestRoute(
  deps: ContextDeps,
  path: RestPath,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const caller = createCaller(createContext(deps, authorizationHeader(req)));
  try {
    sendJson(res, 200, await REST_ROUTES[path](caller));
  } catch (error) {
    const trpcError =
      error instanceof TRPCError
        ? error
        : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
    const status = getHTTPStatusCodeFromError(trpcError);
    const cause = trpcError.cause;
    if (isAuthError(cause)) {
      const refusal = refusalOf(cause, deps.resourceMetadataUrl?.());
      sendJson(res, refusal.status, refusal.restBody, refusal.headers);
      return;
    }
    deps.log.error({ event: "procedure_error", path, err: cause ?? error }, "procedure failed");
    sendJson(res, status, { error: "internal_error", message: "Internal server error" });
  }
}
