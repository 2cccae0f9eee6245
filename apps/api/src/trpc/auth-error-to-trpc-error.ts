import { type AuthError, bearerRefusal } from "@repo/auth/server";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { REALM } from "../realm.ts";

const CODE_BY_STATUS: Record<400 | 401 | 403 | 503, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  503: "SERVICE_UNAVAILABLE",
};

/**
 * The tRPC error for a refusal; the AuthError rides along as `cause` so the HTTP edge can set the
 * matching WWW-Authenticate challenge and the formatter the stable `reason`.
 */
export function authErrorToTRPCError(error: AuthError): TRPCError {
  const refusal = bearerRefusal(error, REALM);
  return new TRPCError({
    code: CODE_BY_STATUS[refusal.status],
    message: refusal.description,
    cause: error,
  });
}
