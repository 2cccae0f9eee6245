import type { Operation } from "@trpc/client";

// bearerAuthLink puts one of these on a subscription's operation; bearerSubscriptionLink's fetch
// fills it in at every (re)connect, so the link knows which token the server refused and why. A class, so
// a stray context value of the same name is ignored.
const CONTEXT_KEY = "@repo/auth:bearer-stream";

export class StreamAttempt {
  /** The token the latest (re)connect carried. */
  sent: string | undefined;
  /** The HTTP status the latest (re)connect was answered with. */
  status: number | undefined;
  /**
   * A refused connect: its response (body already read), the tRPC error shape it carried, and
   * whether it was a DPoP nonce challenge (which the DPoP fetch has already answered once).
   */
  refusal:
    | { readonly response: Response; readonly shape: unknown; readonly nonceChallenge: boolean }
    | undefined;
}

/** Refusal bodies are one tRPC error; anything longer is not read further. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/**
 * The tRPC error shape of a refused connect: a JSON `{ error }` body, or the `serialized-error`
 * event of an SSE body (tRPC writes refusals at open that way). Undefined when neither is found.
 */
export async function readRefusalShape(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = (await response.text()).slice(0, MAX_REFUSAL_BYTES);
  } catch {
    return undefined;
  }
  try {
    const sse = /^event: serialized-error\r?\ndata: (.*)$/m.exec(text);
    const json: unknown = JSON.parse(sse?.[1] ?? text);
    if (sse !== null) return json;
    return typeof json === "object" && json !== null && "error" in json ? json.error : undefined;
  } catch {
    return undefined;
  }
}

export function withStreamAttempt(op: Operation, attempt: StreamAttempt): Operation {
  return { ...op, context: { ...op.context, [CONTEXT_KEY]: attempt } };
}

export function streamAttemptOf(op: Operation): StreamAttempt | undefined {
  const value = op.context[CONTEXT_KEY];
  return value instanceof StreamAttempt ? value : undefined;
}
