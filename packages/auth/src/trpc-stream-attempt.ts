import type { Operation } from "@trpc/client";

// bearerAuthLink puts one of these on a subscription's operation; bearerSubscriptionLink's fetch
// fills it in at every (re)connect, so the link knows which token the server refused. A class, so
// a stray context value of the same name is ignored.
const CONTEXT_KEY = "@repo/auth:bearer-stream";

export class StreamAttempt {
  /** The token the latest (re)connect carried. */
  sent: string | undefined;
  /** The HTTP status the latest (re)connect was answered with. */
  status: number | undefined;
}

export function withStreamAttempt(op: Operation, attempt: StreamAttempt): Operation {
  return { ...op, context: { ...op.context, [CONTEXT_KEY]: attempt } };
}

export function streamAttemptOf(op: Operation): StreamAttempt | undefined {
  const value = op.context[CONTEXT_KEY];
  return value instanceof StreamAttempt ? value : undefined;
}
