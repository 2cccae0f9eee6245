import { isAuthError, networkFailureReason, sanitizeServerText } from "@repo/auth/client";
import { ConfigurationError } from "@repo/env";
import { isTRPCClientError } from "@trpc/client";

/** What a failure message may name. */
export interface FailureContext {
  /** The tRPC endpoint, e.g. http://localhost:3000/trpc. */
  readonly trpcUrl: string;
}

// RFC 6750 §3.1 ties each error code to one status; used when the challenge header is absent or
// belongs to another call of the same batch.
const RFC6750_CODE_BY_STATUS: Record<number, string> = {
  400: "invalid_request",
  401: "invalid_token",
  403: "insufficient_scope",
};

/**
 * One line a user can act on, for any failure of a run: the variable to fix, the token
 * endpoint's OAuth error code, the URL that could not be reached, or the status and reason with
 * which the api refused the token. Never a stack trace, a secret or a token: AuthError messages
 * never hold them, and text from the api passes @repo/auth's sanitiser (printable ASCII only).
 */
export function formatFailure(
  error: unknown,
  context: FailureContext = { trpcUrl: "(api URL not configured)" },
): string {
  if (error instanceof ConfigurationError) return `configuration error: ${error.message}`;
  if (isAuthError(error)) return error.message;
  if (!isTRPCClientError(error)) {
    return `unexpected error: ${printable(error instanceof Error ? error.message : String(error))}`;
  }
  // bearerAuthLink fails a call with the AuthError as cause when no token could be obtained.
  if (isAuthError(error.cause)) return error.cause.message;

  const data = readErrorData(error.data);
  const response = readResponse(error.meta?.response);
  const status = data?.httpStatus ?? response?.status;
  if (status === undefined) {
    // Node's fetch fails with TypeError("fetch failed"), the socket error as its cause.
    return error.cause instanceof TypeError && error.cause.message === "fetch failed"
      ? `API ${context.trpcUrl} unreachable: ${printable(networkFailureReason(error.cause))}`
      : `API ${context.trpcUrl} did not answer like a tRPC api (${printable(error.message)}); check API_URL`;
  }
  if (data === undefined) {
    return status === 401
      ? `API refused the token: 401 ${response?.challengeError ?? "invalid_token"}`
      : `API ${context.trpcUrl} answered ${status} without a tRPC response; check API_URL`;
  }
  const message = printable(error.message);
  if (status === 401 || status === 403) {
    const code =
      (response?.status === status ? response.challengeError : undefined) ??
      RFC6750_CODE_BY_STATUS[status] ??
      data.code;
    const detail =
      data.reason === undefined || data.reason === code ? message : `${data.reason}: ${message}`;
    const what = status === 401 ? "the token" : "the call";
    return `API refused ${what}: ${status} ${code} (${detail})`;
  }
  const code = data.code === undefined ? "" : ` ${data.code}`;
  return `API ${context.trpcUrl} answered ${status}${code} (${message})`;
}

/** Whether the api refused a call because the token lacks a scope (RFC 6750 §3.1, 403). */
export function isScopeRefusal(error: unknown): boolean {
  return isTRPCClientError(error) && readErrorData(error.data)?.httpStatus === 403;
}

interface ErrorData {
  readonly httpStatus: number | undefined;
  readonly code: string | undefined;
  /** The api's stable refusal reason (an AuthError code such as `expired`). */
  readonly reason: string | undefined;
}

function readErrorData(data: unknown): ErrorData | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const { httpStatus, code, reason } = data as Record<string, unknown>;
  return {
    httpStatus: typeof httpStatus === "number" ? httpStatus : undefined,
    code: typeof code === "string" ? printable(code) : undefined,
    reason: typeof reason === "string" ? printable(reason) : undefined,
  };
}

// A challenge of this api is a few hundred characters; what a server sends past this is never
// given to a regular expression.
const MAX_CHALLENGE_LENGTH = 1_024;

function readResponse(
  response: unknown,
): { status: number; challengeError: string | undefined } | undefined {
  if (!(response instanceof Response)) return undefined;
  const challenge = (response.headers.get("www-authenticate") ?? "").slice(0, MAX_CHALLENGE_LENGTH);
  const match = /\berror="([^"]*)"/.exec(challenge);
  return { status: response.status, challengeError: match?.[1] ? printable(match[1]) : undefined };
}

function printable(text: string): string {
  return sanitizeServerText(text, 200);
}
