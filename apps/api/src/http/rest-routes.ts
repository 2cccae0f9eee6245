import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AppRouter,
  appRouter,
  createContext,
  describeProcedures,
  NO_STORE,
  refusalOf,
  refusalOptions,
} from "@repo/api-router";
import { isAuthError } from "@repo/auth/server";
import { type inferRouterOutputs, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { callProcedure } from "@trpc/server/unstable-core-do-not-import";
import { type EdgeDeps, requestAuthorization } from "./request-credentials.ts";
import { sendJson } from "./send-json.ts";

/**
 * The REST face of the original Django example: the same procedures and middleware as /trpc,
 * called through tRPC's callProcedure as its server-side caller calls them (the procedure's path,
 * no input, batch index 0), answering their output as plain JSON (no envelope).
 */
export const REST_ROUTES = {
  "/public": "public",
  "/protected": "protected",
} as const satisfies Record<string, keyof inferRouterOutputs<AppRouter>>;

export type RestPath = keyof typeof REST_ROUTES;

/** Answers that depend on the token: never stored by a cache (refusals carry it anyway). */
const TOKEN_DEPENDENT = new Set(
  describeProcedures(appRouter).flatMap(({ path, access }) => (access === "protected" ? path : [])),
);

const NO_INPUT = async (): Promise<undefined> => undefined;

export function isRestPath(path: string): path is RestPath {
  return Object.hasOwn(REST_ROUTES, path);
}

export async function handleRestRoute(
  deps: EdgeDeps,
  path: RestPath,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const name = REST_ROUTES[path];
  if (TOKEN_DEPENDENT.has(name)) res.setHeader("cache-control", NO_STORE["cache-control"]);
  try {
    const data: unknown = await callProcedure({
      router: appRouter,
      path: name,
      getRawInput: NO_INPUT,
      ctx: createContext(deps, requestAuthorization(req, deps), deps.refusalLog.forResponse(res)),
      type: "query",
      signal: undefined,
      batchIndex: 0,
    });
    sendJson(res, 200, data);
  } catch (error) {
    const trpcError =
      error instanceof TRPCError
        ? error
        : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
    const status = getHTTPStatusCodeFromError(trpcError);
    const cause = trpcError.cause;
    if (isAuthError(cause)) {
      const refusal = refusalOf(cause, refusalOptions(deps));
      sendJson(res, refusal.status, refusal.restBody, refusal.headers);
      return;
    }
    deps.log.error({ event: "procedure_error", path, err: cause ?? error }, "procedure failed");
    sendJson(res, status, { error: "internal_error", message: "Internal server error" });
  }
}
