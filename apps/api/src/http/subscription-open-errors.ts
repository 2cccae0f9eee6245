import type { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";

/**
 * tRPC streams a subscription that fails before its first event (a refused token, a bad input,
 * too many streams) as HTTP 200 with an SSE error event: the refusal would hide in the body, with
 * no status and no challenge. This remembers such an error per request (the adapter's onError
 * sees it before responseMeta runs) so responseMeta can answer with the status a query would get
 * (401, 403, 400, 429, 503) and its headers. EventSource clients then fail the connection on the
 * status (WHATWG HTML §9.2 "fail the connection" for a non-200 response) instead of retrying.
 */
export function createSubscriptionOpenErrors() {
  const errors = new WeakMap<object, TRPCError>();
  return {
    record(error: TRPCError, type: string, ctx: object | undefined): void {
      if (type === "subscription" && ctx !== undefined && !errors.has(ctx)) errors.set(ctx, error);
    },
    /** The error a subscription request failed with before streaming, if it did. */
    take(type: string, ctx: object | undefined): { status: number; error: TRPCError } | undefined {
      if (type !== "subscription" || ctx === undefined) return undefined;
      const error = errors.get(ctx);
      if (error === undefined) return undefined;
      errors.delete(ctx);
      return { status: getHTTPStatusCodeFromError(error), error };
    },
  };
}
