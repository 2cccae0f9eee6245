import { bearerRefusal, isAuthError } from "@repo/auth/server";
import { REALM } from "../realm.ts";

/** Seconds a client should wait before retrying when the key set is unavailable. */
const KEY_SET_RETRY_AFTER_SECONDS = "5";

/**
 * Response headers for an error whose cause is an AuthError: the RFC 6750 §3 challenge on every
 * 400/401/403 (with RFC 9728 `resource_metadata` when given), and Retry-After on a 503. Undefined
 * for other errors.
 */
export function refusalHeaders(
  cause: unknown,
  resourceMetadata?: string,
): Record<string, string> | undefined {
  if (!isAuthError(cause)) return undefined;
  const refusal = bearerRefusal(cause, REALM, { resourceMetadata });
  const headers: Record<string, string> = { "www-authenticate": refusal.challenge };
  if (refusal.status === 503) headers["retry-after"] = KEY_SET_RETRY_AFTER_SECONDS;
  return headers;
}
