import { type Clock, clockTimeout } from "../clock.ts";
import { AuthError } from "../errors.ts";
import { BodyTooLargeError, readCappedBody } from "../read-capped-body.ts";
import type { ResolvedClientCredentialsOptions } from "./client-credentials-options.ts";
import { isTimeout, networkFailureReason } from "./network-failure.ts";
import { parseOAuthErrorResponse } from "./oauth-error-response.ts";
import { retryAfterMs } from "./retry-after.ts";
import { retryDelayMs } from "./retry-delay.ts";
import { sanitizeServerText } from "./sanitize-server-text.ts";
import type { TokenRequestBuilder } from "./token-request.ts";
import { parseTokenResponse, type TokenResponse } from "./token-response.ts";

/**
 * The token endpoint asked for a DPoP nonce (RFC 9449 §8) and gave one, now remembered by the
 * signer: worth one immediate retry. `refusal` is what to throw if it asks again.
 */
interface NonceChallenge {
  readonly refusal: AuthError;
}

/** An attempt that failed in a way worth retrying: the server may well answer next time. */
interface RetryableFailure {
  /** Completes "token endpoint <url> ...". */
  readonly reason: string;
  readonly status?: number;
  readonly oauthError?: string;
  readonly retryAfterMs?: number;
  readonly timedOut?: boolean;
  readonly cause?: unknown;
}

// RFC 9110 §15.5.9 (408), RFC 6585 §4 (429) and §15.6 (5xx): the request may succeed if repeated.
const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

// RFC 6749 §5.2 answers client errors with 400 or 401; 403 is what many gateways send instead.
const isRefusalStatus = (status: number) => status === 400 || status === 401 || status === 403;

/**
 * Run the token request until it yields a token, with retries of transient failures: 408, 429,
 * 5xx, network errors and timeouts, with exponential backoff and full jitter, or exactly the
 * wait a `Retry-After` header asks for, all within `deadlineMs`. With DPoP, a `use_dpop_nonce`
 * answer is retried once at once with the nonce it gave (not counted as an attempt).
 *
 * @throws AuthError `token_request_refused` (not retried: the same credentials would be refused
 *   again), `token_endpoint_unavailable` once attempts or time run out, or
 *   `invalid_token_response`.
 */
export async function requestToken(
  options: ResolvedClientCredentialsOptions,
  buildRequest: TokenRequestBuilder,
): Promise<TokenResponse> {
  const url = options.tokenUrl.href;
  const { clock } = options;
  const deadline = clock.now() + options.deadlineMs;
  let previous: RetryableFailure | undefined;
  let nonceRetried = false;
  for (let attempt = 1; ; attempt++) {
    const timeoutMs = Math.max(1, Math.min(options.requestTimeoutMs, deadline - clock.now()));
    const outcome = await attemptOnce(options, buildRequest, url, timeoutMs);
    if ("refusal" in outcome) {
      // Once: a server that asks again for a nonce it just gave is refusing, not challenging.
      if (nonceRetried) throw outcome.refusal;
      nonceRetried = true;
      attempt--;
      continue;
    }
    if (!("reason" in outcome)) return outcome;

    const attempts = `${attempt} attempt${attempt === 1 ? "" : "s"}`;
    // A last attempt cut short by the deadline says little; the answer before it says why.
    const deadlineCut = outcome.timedOut === true && timeoutMs < options.requestTimeoutMs;
    const reported = deadlineCut ? (previous ?? outcome) : outcome;
    previous = outcome;
    const giveUp = (why: string) =>
      new AuthError(
        "token_endpoint_unavailable",
        `token endpoint ${url} ${reported.reason}${why}`,
        {
          status: reported.status,
          oauthError: reported.oauthError,
          cause: reported.cause,
        },
      );
    if (deadlineCut) throw giveUp(` (${attempts}, ${options.deadlineMs} ms deadline)`);
    if (attempt >= options.maxAttempts) throw giveUp(` (${attempts})`);

    const timeLeft = deadline - clock.now();
    if (outcome.retryAfterMs !== undefined) {
      // The server said when it will take requests again (RFC 9110 §10.2.3). Asking sooner would
      // likely be refused again, so the wait is not shortened to maxDelayMs; if it does not fit
      // in what is left of the deadline, give up now rather than sleep and fail anyway.
      if (outcome.retryAfterMs >= timeLeft) {
        throw giveUp(
          `; it asked to retry after ${Math.ceil(outcome.retryAfterMs / 1000)} s, past the ${options.deadlineMs} ms deadline (${attempts})`,
        );
      }
      await sleep(clock, outcome.retryAfterMs);
    } else {
      const delay = retryDelayMs(attempt, options.baseDelayMs, options.maxDelayMs);
      if (delay >= timeLeft) throw giveUp(` (${attempts}, ${options.deadlineMs} ms deadline)`);
      await sleep(clock, delay);
    }
  }
}

async function attemptOnce(
  options: ResolvedClientCredentialsOptions,
  buildRequest: TokenRequestBuilder,
  url: string,
  timeoutMs: number,
): Promise<TokenResponse | RetryableFailure | NonceChallenge> {
  const request = await buildRequest();
  let status: number;
  let body: string;
  let response: Response;
  const timeout = clockTimeout(options.clock, timeoutMs);
  try {
    response = await options.fetch(options.tokenUrl, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      // A redirect would resend the client secret to wherever the server points; the token URL
      // must be configured as its final address instead.
      redirect: "manual",
      signal: timeout.signal,
    });
    status = response.status;
    options.dpop?.rememberNonce(options.tokenUrl, response.headers);
    body = await readCappedBody(response, options.maxResponseBytes).catch((error: unknown) => {
      // A token needs a few KiB; a 2xx body past the cap is no token response (an endless one
      // would otherwise grow until the process dies). An error page past it is only cut short.
      if (!(error instanceof BodyTooLargeError)) throw error;
      if (status >= 200 && status < 300) {
        throw new AuthError(
          "invalid_token_response",
          `token endpoint answered ${status} with a body over ${options.maxResponseBytes} bytes`,
          { status },
        );
      }
      return "";
    });
  } catch (cause) {
    if (cause instanceof AuthError) throw cause;
    if (isTimeout(cause)) {
      return { reason: `did not answer within ${timeoutMs} ms`, timedOut: true, cause };
    }
    return { reason: `unreachable: ${networkFailureReason(cause)}`, cause };
  } finally {
    timeout.done();
  }

  if (status >= 200 && status < 300) {
    return parseTokenResponse(body, status, options.dpop === undefined ? "Bearer" : "DPoP");
  }

  const statusLine =
    `${status} ${sanitizeServerText(response.statusText, 60, options.secrets)}`.trim();
  const oauth = parseOAuthErrorResponse(body, options.secrets);
  const oauthText =
    oauth === undefined
      ? undefined
      : `${oauth.error}${oauth.description === undefined ? "" : ` (${oauth.description})`}`;

  // RFC 9449 §8: a token endpoint's nonce challenge is a 400 with the nonce to use.
  if (
    options.dpop !== undefined &&
    status === 400 &&
    oauth?.error === "use_dpop_nonce" &&
    response.headers.has("dpop-nonce")
  ) {
    return {
      refusal: new AuthError(
        "token_request_refused",
        `token endpoint refused the request: ${oauthText} again after the retry with its nonce`,
        { status, oauthError: oauth.error },
      ),
    };
  }

  if (isRetryableStatus(status)) {
    return {
      reason: `unavailable: answered ${oauthText === undefined ? statusLine : `${status} ${oauthText}`}`,
      status,
      oauthError: oauth?.error,
      retryAfterMs: retryAfterMs(response.headers.get("retry-after"), options.clock.now()),
    };
  }
  if (oauthText !== undefined || isRefusalStatus(status)) {
    throw new AuthError(
      "token_request_refused",
      `token endpoint refused the request: ${oauthText ?? statusLine}`,
      { status, oauthError: oauth?.error },
    );
  }
  if (status >= 300 && status < 400) {
    const location = sanitizeServerText(
      response.headers.get("location") ?? "",
      200,
      options.secrets,
    );
    throw new AuthError(
      "token_endpoint_unavailable",
      `token endpoint ${url} answered ${statusLine}${location === "" ? "" : ` to ${location}`}; redirects are not followed (they would resend the client secret), configure the final URL`,
      { status },
    );
  }
  throw new AuthError(
    "token_endpoint_unavailable",
    `token endpoint ${url} answered ${statusLine}; check the token URL`,
    { status },
  );
}

/** Wait `ms` on `clock`; a foreground timer, since the caller is waiting for the token. */
function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimer(resolve, ms);
  });
}
