/**
 * `@repo/auth/trpc-link`: tRPC v11 client links that send an access token from a TokenSource (as
 * a bearer token, or with the `DPoP` scheme when it is DPoP-bound) and recover once from a 401
 * (RFC 6750 §3.1 `invalid_token`: the token expired early, was revoked, or the API's keys rotated).
 */
import { type Operation, type OperationLink, TRPCClientError, type TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import { authorizationHeader } from "./authorization-header.ts";
import { carriesDpopNonceChallenge } from "./dpop/dpop-nonce-challenge.ts";
import type { TokenInfo, TokenSource } from "./token-source/token-source.ts";
import { StreamAttempt, withStreamAttempt } from "./trpc-stream-attempt.ts";

// Links cannot set HTTP headers themselves; the terminating link reads them from the operation's
// context through bearerAuthHeaders. A class, so a stray context value of the same name is ignored.
const CONTEXT_KEY = "@repo/auth:bearer";

class BearerAttempt {
  readonly token: Pick<TokenInfo, "accessToken" | "tokenType">;
  /** The token the request actually carried (a batch carries one token for all its operations). */
  sent: string | undefined;
  constructor(token: Pick<TokenInfo, "accessToken" | "tokenType">) {
    this.token = token;
  }
}

const attemptOf = (op: Operation): BearerAttempt | undefined => {
  const value = op.context[CONTEXT_KEY];
  return value instanceof BearerAttempt ? value : undefined;
};

export interface BearerAuthLinkOptions {
  /**
   * Where tokens come from, e.g. `createClientCredentialsTokenSource(...)`; its `tokenType` says
   * which scheme each token is sent with.
   */
  readonly tokenSource: Pick<TokenSource, "getTokenInfo" | "invalidate">;
}

/**
 * A link that gets a current token for every query and mutation and, when the API answers 401,
 * invalidates the token that was sent, gets a fresh one and retries the operation once; a second
 * 401 is passed on as the error. Put it before the terminating link, and give that link
 * `headers: bearerAuthHeaders` so the token goes out:
 *
 * ```ts
 * createTRPCClient<AppRouter>({
 *   links: [
 *     bearerAuthLink({ tokenSource }),
 *     httpBatchLink({ url: `${apiUrl}/trpc`, headers: bearerAuthHeaders }),
 *   ],
 * });
 * ```
 *
 * A failure to obtain a token fails the call with a TRPCClientError whose `cause` is the
 * AuthError.
 *
 * A DPoP-bound token (`tokenType` "DPoP", RFC 9449) goes out as `Authorization: DPoP <token>`,
 * and the proof each request needs is added by the terminating link's fetch: give it
 * `fetch: createDpopFetch({ signer })` (from `@repo/auth/client`, the signer the token source
 * binds tokens to). A retry is a new request, so it carries a new proof. A call refused with a
 * DPoP nonce challenge (`use_dpop_nonce`) keeps its token: when the whole request was refused
 * (401) the DPoP fetch has already answered the challenge once, and the second refusal is the
 * error; when only some calls of a batch were (207), those are sent once more with the nonce.
 *
 * Subscriptions take their token from their transport at every connect (bearerSubscriptionLink).
 * When the api ends a stream with 401 (its token expired, or its key was withdrawn) or refuses a
 * connect with 401, this link forgets that token and reopens the subscription once, from the last
 * event id received (tRPC `tracked()` events), so the caller sees the stream go on. A second 401
 * before the api accepted the new connect, or one with the very token that already failed, is
 * passed on as the error.
 */
export function bearerAuthLink<TRouter extends AnyTRPCRouter>(
  options: BearerAuthLinkOptions,
): TRPCLink<TRouter> {
  const { tokenSource } = options;
  return () =>
    ({ op, next }) => {
      if (op.type === "subscription") return renewingSubscription(op, next, tokenSource);
      return observable((observer) => {
        let disposed = false;
        let current: Unsubscribable | undefined;

        const send = (isRetry: boolean) => {
          // Through a promise, so a token source that throws synchronously still fails the call.
          Promise.resolve()
            .then(() => tokenSource.getTokenInfo())
            .then(
              (token) => {
                if (disposed) return;
                const attempt = new BearerAttempt(token);
                current = next({
                  ...op,
                  context: { ...op.context, [CONTEXT_KEY]: attempt },
                }).subscribe({
                  next: (envelope) => observer.next(envelope),
                  complete: () => observer.complete(),
                  error: (error) => {
                    if (isRetry || !isUnauthorized(error)) return observer.error(error);
                    if (attempt.sent === undefined) return observer.error(headersNotWired(error));
                    const nonceChallenge = nonceChallengeOf(error);
                    // A 401 answer is the whole request refused, whose challenge the DPoP fetch has
                    // already answered once; the token itself was not refused either way.
                    if (nonceChallenge === "whole request") return observer.error(error);
                    if (nonceChallenge === undefined) tokenSource.invalidate(attempt.sent);
                    send(true);
                  },
                });
              },
              (cause: unknown) => {
                if (disposed) return;
                const error = cause instanceof Error ? cause : new Error(String(cause));
                observer.error(TRPCClientError.from<TRouter>(error));
              },
            );
        };

        send(false);
        return () => {
          disposed = true;
          current?.unsubscribe();
        };
      });
    };
}

function renewingSubscription<TRouter extends AnyTRPCRouter>(
  op: Operation,
  next: Parameters<OperationLink<TRouter>>[0]["next"],
  tokenSource: BearerAuthLinkOptions["tokenSource"],
): ReturnType<OperationLink<TRouter>> {
  return observable((observer) => {
    let lastEventId: string | undefined;
    let renewing = false;
    let failedToken: string | undefined;
    let current: Unsubscribable | undefined;
    let disposed = false;

    const open = () => {
      const attempt = new StreamAttempt();
      const input = withLastEventId(op.input, lastEventId);
      current = next(withStreamAttempt({ ...op, input }, attempt)).subscribe({
        next: (envelope) => {
          const result: unknown = envelope.result;
          if (isStarted(result)) renewing = false;
          const id = eventIdOf(result);
          if (id !== undefined) lastEventId = id;
          observer.next(envelope);
        },
        complete: () => observer.complete(),
        error: (error) => {
          const unauthorized = isUnauthorized(error) || attempt.status === 401;
          const token = attempt.sent;
          // A connect refused with a nonce challenge was already answered once by the DPoP fetch.
          const nonceRefusal = attempt.refusal?.nonceChallenge === true;
          if (disposed || !unauthorized || nonceRefusal || renewing || token === failedToken) {
            return observer.error(refusalError(error, attempt));
          }
          renewing = true;
          failedToken = token;
          if (token !== undefined) tokenSource.invalidate(token);
          open();
        },
      });
    };

    open();
    return () => {
      disposed = true;
      current?.unsubscribe();
    };
  });
}

/**
 * An EventSource reports a refused connect as a bare error event; give the caller the api's
 * answer instead (its tRPC error shape and the response), as a refused query would.
 */
function refusalError<TRouter extends AnyTRPCRouter>(
  error: TRPCClientError<TRouter>,
  attempt: StreamAttempt,
): TRPCClientError<TRouter> {
  const refusal = attempt.refusal;
  if (refusal === undefined || error.data !== undefined) return error;
  const shape = refusal.shape;
  const meta = { response: refusal.response };
  if (typeof shape === "object" && shape !== null && "message" in shape && "data" in shape) {
    return TRPCClientError.from<TRouter>(
      { error: shape } as Parameters<typeof TRPCClientError.from>[0],
      { meta },
    );
  }
  return new TRPCClientError<TRouter>(`Subscription refused: HTTP ${refusal.response.status}`, {
    cause: error,
    meta,
  });
}

// As tRPC's own SSE link resumes: the last event id goes into the input (tracked() procedures).
function withLastEventId(input: unknown, lastEventId: string | undefined): unknown {
  if (lastEventId === undefined) return input;
  if (input !== undefined && input !== null && typeof input !== "object") return input;
  return { ...(input ?? {}), lastEventId };
}

function isStarted(result: unknown): boolean {
  return typeof result === "object" && result !== null && "type" in result
    ? result.type === "started"
    : false;
}

function eventIdOf(result: unknown): string | undefined {
  if (typeof result !== "object" || result === null || !("id" in result)) return undefined;
  return typeof result.id === "string" && result.id !== "" ? result.id : undefined;
}

/**
 * The `headers` option of `httpBatchLink` or `httpLink`: `Authorization: Bearer <token>` with the
 * token bearerAuthLink put on the operations, or `Authorization: DPoP <token>` for a DPoP-bound
 * one (the link's `fetch` then adds the proof, see createDpopFetch); no header for operations
 * without one. To send other headers too:
 * `headers: (opts) => ({ ...bearerAuthHeaders(opts), "x-trace": id })`.
 */
export function bearerAuthHeaders(
  opts: { readonly opList: readonly Operation[] } | { readonly op: Operation },
): Record<string, string> {
  const ops = "opList" in opts ? opts.opList : [opts.op];
  const attempts = ops.map(attemptOf).filter((attempt) => attempt !== undefined);
  // Operations batched together normally share the cached token; around a refresh they may not.
  // The last one queued got its token last, so its token is the likeliest to be current.
  const token = attempts.at(-1)?.token;
  if (token === undefined) return {};
  for (const attempt of attempts) attempt.sent = token.accessToken;
  return { authorization: authorizationHeader(token) };
}

/**
 * Whether the answer that failed a call was a DPoP nonce challenge: refusing the whole request
 * (401), or, in a batch whose calls ended differently (207), some of its calls.
 */
function nonceChallengeOf(
  error: TRPCClientError<AnyTRPCRouter>,
): "whole request" | "some calls" | undefined {
  const response: unknown = error.meta?.response;
  if (typeof response !== "object" || response === null) return undefined;
  if (!("headers" in response) || !(response.headers instanceof Headers)) return undefined;
  if (!carriesDpopNonceChallenge(response.headers)) return undefined;
  return "status" in response && response.status === 401 ? "whole request" : "some calls";
}

function isUnauthorized(error: TRPCClientError<AnyTRPCRouter>): boolean {
  const data: unknown = error.data;
  if (typeof data === "object" && data !== null && "httpStatus" in data) {
    return data.httpStatus === 401;
  }
  // No tRPC error shape (e.g. a proxy in front of the API answered): look at the HTTP status.
  const response: unknown = error.meta?.response;
  return typeof response === "object" && response !== null && "status" in response
    ? response.status === 401
    : false;
}

function headersNotWired<TRouter extends AnyTRPCRouter>(
  error: TRPCClientError<TRouter>,
): TRPCClientError<TRouter> {
  return new TRPCClientError<TRouter>(
    "bearerAuthLink: the request went out without the token; pass `headers: bearerAuthHeaders` to httpBatchLink or httpLink",
    { cause: error, ...(error.meta === undefined ? {} : { meta: error.meta }) },
  );
}
