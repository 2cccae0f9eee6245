import {
  type AuthError,
  type AuthErrorCode,
  bearerRefusal,
  type DpopPolicy,
  isAuthError,
} from "@repo/auth/server";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { REALM } from "./realm.ts";
import { TemporarilyUnavailable } from "./temporarily-unavailable.ts";

/** Seconds a client should wait before retrying when the key set is unavailable. */
const KEY_SET_RETRY_AFTER_SECONDS = "5";

/**
 * What every answer that depends on the caller's token carries (RFC 9111 §5.2.2.5): a shared cache
 * between client and api must neither serve one caller's answer or refusal to another nor keep it.
 */
export const NO_STORE = { "cache-control": "no-store" } as const;

const TRPC_CODE_BY_STATUS: Record<Refusal["status"], TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  503: "SERVICE_UNAVAILABLE",
};

/**
 * Everything the api answers for one refused credential, on every transport: the HTTP status,
 * the headers (the RFC 6750 §3 challenge; Retry-After on a 503, RFC 9110 §10.2.3; no-store), the
 * tRPC error code, and the REST body.
 */
export interface Refusal {
  readonly status: 400 | 401 | 403 | 503;
  readonly headers: Readonly<Record<string, string>>;
  readonly trpcCode: TRPC_ERROR_CODE_KEY;
  /** The safe description (RFC 6750 error_description charset), also the tRPC message. */
  readonly message: string;
  readonly restBody: { readonly error: AuthErrorCode; readonly message: string };
}

/** What the challenges of the api's refusals name besides the error. */
export interface RefusalOptions {
  /** The URL of the api's RFC 9728 metadata document: `resource_metadata` (§5.1). */
  readonly resourceMetadata?: string | undefined;
  /** The api's DPoP mode and algorithms: which challenges are sent (RFC 9449 §7.1). */
  readonly dpop?: Pick<DpopPolicy, "mode" | "algorithms"> | undefined;
}

/**
 * The one mapping of an AuthError to what the api answers: the challenges (see bearerRefusal),
 * a `DPoP-Nonce` with a nonce challenge (RFC 9449 §9), Retry-After with a 503.
 */
export function refusalOf(error: AuthError, options: RefusalOptions = {}): Refusal {
  const refusal = bearerRefusal(error, REALM, options);
  const headers: Record<string, string> = { "www-authenticate": refusal.challenge, ...NO_STORE };
  if (refusal.status === 503) {
    headers["retry-after"] = String(error.retryAfterSeconds ?? KEY_SET_RETRY_AFTER_SECONDS);
  }
  if (error.dpopNonce !== undefined) headers["dpop-nonce"] = error.dpopNonce;
  return {
    status: refusal.status,
    headers,
    trpcCode: TRPC_CODE_BY_STATUS[refusal.status],
    message: refusal.description,
    restBody: { error: error.code, message: refusal.description },
  };
}

/**
 * The tRPC error for a refusal; the AuthError rides along as `cause` so that the HTTP edge finds
 * the refusal's headers again (refusalHeaders) and the error formatter the stable `reason`.
 */
export function refusalToTRPCError(error: AuthError): TRPCError {
  const refusal = refusalOf(error);
  return new TRPCError({ code: refusal.trpcCode, message: refusal.message, cause: error });
}

/**
 * The refusal headers of the first error caused by an AuthError, if any; else Retry-After of the
 * first caused by a TemporarilyUnavailable (the database away: 503).
 */
export function refusalHeaders(
  errors: readonly { readonly cause?: unknown }[],
  options: RefusalOptions = {},
): Readonly<Record<string, string>> | undefined {
  for (const error of errors) {
    if (isAuthError(error.cause)) return refusalOf(error.cause, options).headers;
  }
  for (const error of errors) {
    if (error.cause instanceof TemporarilyUnavailable) {
      return { "retry-after": String(error.cause.retryAfterSeconds), ...NO_STORE };
    }
  }
  return undefined;
}
