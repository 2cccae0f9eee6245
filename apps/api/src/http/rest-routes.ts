import type { IncomingMessage, ServerResponse } from "node:http";
import {
  appRouter,
  type ContextDeps,
  createContext,
  NO_STORE,
  protectedProcedure,
  refusalOf,
} from "@repo/api-router";
import { isAuthError } from "@repo/auth/server";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { authorizationHeader } from "./authorization-header.ts";
import { callProcedure } from "./call-procedure.ts";
import { sendJson } from "./send-json.ts";
import { routerInternals, usesMiddlewaresOf } from "./trpc-internals.ts";

/**
 * The REST face of the original Django example: the same procedures and middleware as /trpc,
 * called as tRPC's server-side caller calls them (same options: the procedure's path, no input,
 * batch index 0), answering their output as plain JSON (no envelope). The caller itself would add
 * a proxy per request and a path lookup per call; the procedures are looked up once here instead.
 */
export const REST_ROUTES = {
  "/public": "public",
  "/protected": "protected",
} as const satisfies Record<string, keyof typeof appRouter._def.record>;

export type RestPath = keyof typeof REST_ROUTES;

const { procedures } = routerInternals(appRouter);

/** Routes whose answer depends on the token: never stored by a cache (refusals carry it anyway). */
const TOKEN_DEPENDENT = new Set(
  Object.entries(REST_ROUTES)
    .filter(([, name]) => {
      const procedure = procedures[name];
      return procedure !== undefined && usesMiddlewaresOf(procedure, protectedProcedure);
    })
    .map(([path]) => path),
);

export function isRestPath(path: string): path is RestPath {
  return Object.hasOwn(REST_ROUTES, path);
}

export async function handleRestRoute(
  deps: ContextDeps,
  path: RestPath,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const name = REST_ROUTES[path];
  const procedure = procedures[name];
  if (TOKEN_DEPENDENT.has(path)) res.setHeader("cache-control", NO_STORE["cache-control"]);
  try {
    if (procedure === undefined) throw new Error(`no procedure "${name}"`);
    const data = await callProcedure(procedure, {
      path: name,
      getRawInput: async () => undefined,
      ctx: createContext(deps, authorizationHeader(req), deps.refusalLog.forResponse(res)),
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
      const refusal = refusalOf(cause, deps.resourceMetadataUrl?.());
      sendJson(res, refusal.status, refusal.restBody, refusal.headers);
      return;
    }
    deps.log.error({ event: "procedure_error", path, err: cause ?? error }, "procedure failed");
    sendJson(res, status, { error: "internal_error", message: "Internal server error" });
  }
}
