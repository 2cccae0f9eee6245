import { TRPCError } from "@trpc/server";
import { TemporarilyUnavailable } from "../temporarily-unavailable.ts";

/** A client retrying after this long finds a database that restarts or fails over quickly. */
const RETRY_AFTER_SECONDS = 1;

/** What postMessage answers while the database is away: 503, Retry-After: 1. */
export function messagesUnavailable(cause: unknown): TRPCError {
  return new TRPCError({
    code: "SERVICE_UNAVAILABLE",
    message: "Messages are unavailable for now; retry shortly",
    cause: new TemporarilyUnavailable(RETRY_AFTER_SECONDS, { cause }),
  });
}
