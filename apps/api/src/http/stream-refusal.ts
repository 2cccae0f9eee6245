import type { IncomingMessage, ServerResponse } from "node:http";
import {
  createContext,
  describeProcedures,
  type RefusalRecorder,
  refusalOf,
  refusalOptions,
  refuse,
  routerInternals,
  withResolver,
} from "@repo/api-router";
import { type AuthError, isAuthError } from "@repo/auth/server";
import {
  type AnyTRPCRouter,
  getErrorShape,
  getTRPCErrorFromUnknown,
  type TRPCError,
  transformTRPCResponse,
} from "@trpc/server";
import { callProcedure } from "@trpc/server/unstable-core-do-not-import";
import { type EdgeDeps, sharedRequestAuthorization } from "./request-credentials.ts";
import { sendJson } from "./send-json.ts";

/**
 * A jsonl stream (httpBatchStreamLink) starts with a 200 head before any call has run, so a
 * refusal inside it would reach monitoring as a success. Before such a stream starts, this consults
 * the guards of every call: when every call is a protected query (GET) or mutation (POST) and every
 * one is refused with the same status, the request is answered as a whole with that status, the
 * challenge (RFC 6750 §3) and tRPC's error envelope, which the stream link reads from any non-2xx
 * answer. Otherwise it returns false and the stream runs as usual.
 *
 * The guards run through tRPC's callProcedure on a twin of each procedure (withResolver): the same
 * middleware functions and meta, ending in a resolver of ours that does nothing. A procedure's own
 * resolver is not in that chain, so no answer the check gets, pass or refusal, can have run it.
 * Nothing of the check is logged or counted; when the request is refused as a whole its refusals
 * are recorded once, as the stream would have; otherwise the stream runs every guard again (a
 * verified token is cached, so the second run costs a lookup).
 *
 * `names` and `params` are the request's procedure paths and query as parseTrpcTarget reads them,
 * which is how tRPC reads them: any spelling tRPC calls a procedure by is checked here too.
 */
export function createStreamRefusal(
  deps: EdgeDeps,
  router: AnyTRPCRouter,
): (
  req: IncomingMessage,
  res: ServerResponse,
  names: readonly string[],
  params: URLSearchParams | undefined,
) => Promise<boolean> {
  const { config } = routerInternals(router);
  const guarded = new Map(
    describeProcedures(router)
      .filter(({ access, kind }) => access === "protected" && kind !== "subscription")
      .map(({ path, kind }) => [path, kind]),
  );
  const guards = withResolver(router, [...guarded.keys()], () => null);
  const unobserved: EdgeDeps = {
    ...deps,
    log: deps.log.child({}, { level: "silent" }),
    onAuthRefused: undefined,
  };

  return async (req, res, names, params) => {
    const kind = req.method === "POST" ? "mutation" : "query";
    if (!names.every((name) => guarded.get(name) === kind)) return false;
    const inputs = batchInputs(req, params);
    const ctx = createContext(unobserved, sharedRequestAuthorization(req, deps), NOT_RECORDED);
    const refusals = await Promise.all(
      names.map((path, index) =>
        callProcedure({
          router: guards,
          path,
          getRawInput: async () => {
            const raw = inputs?.[index];
            return raw === undefined ? undefined : config.transformer.input.deserialize(raw);
          },
          ctx,
          type: kind,
          signal: undefined,
          batchIndex: index,
        }).then(
          () => undefined,
          (error: unknown) => {
            const cause = getTRPCErrorFromUnknown(error).cause;
            return isAuthError(cause) ? cause : undefined;
          },
        ),
      ),
    );
    if (!refusals.every((cause) => cause !== undefined)) return false;
    const statuses = new Set(refusals.map((cause) => refusalOf(cause).status));
    if (statuses.size !== 1) return false;

    // Record each refusal as the procedure would have, for the request's one refusal line.
    const recorded = createContext(
      deps,
      sharedRequestAuthorization(req, deps),
      deps.refusalLog.forResponse(res),
    );
    const errors = refusals.map((cause, index) => refuse(recorded, names[index] as string, cause));
    const first = errors[0] as TRPCError;
    const refusal = refusalOf(refusals[0] as AuthError, refusalOptions(deps));
    const shape = getErrorShape({
      config,
      error: first,
      type: kind,
      path: undefined,
      input: undefined,
      ctx: recorded,
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
