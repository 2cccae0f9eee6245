import type { AccessToken, AccessTokenVerifier, AuthErrorCode } from "@repo/auth/server";
import type { Logger } from "../logger.ts";
import { RequestAuthorization } from "./request-authorization.ts";

/**
 * What every procedure sees. `createContext` only reads the request (tRPC v11: throwing here would
 * fail every call of a batch, the public ones too); verification happens in protectedProcedure,
 * which narrows `auth` to a verified token.
 */
export interface Context {
  /** The Authorization header, parsed and verified lazily by protectedProcedure. */
  readonly authorization: RequestAuthorization;
  /** null until protectedProcedure has verified the token. */
  readonly auth: AccessToken | null;
  readonly verifier: AccessTokenVerifier;
  readonly log: Logger;
  /** Told the reason of every refusal (metrics); absent when nothing observes. */
  readonly onAuthRefused?: ((reason: AuthErrorCode) => void) | undefined;
}

export interface ContextDeps {
  readonly verifier: AccessTokenVerifier;
  readonly log: Logger;
  readonly onAuthRefused?: ((reason: AuthErrorCode) => void) | undefined;
}

/** Build a context from a request's Authorization header(s). */
export function createContext(
  deps: ContextDeps,
  authorization: string | readonly string[] | undefined,
): Context {
  const { verifier, log, onAuthRefused } = deps;
  // Keep this object small: tRPC copies it key by key for every middleware that extends it.
  return {
    authorization: new RequestAuthorization(authorization),
    auth: null,
    verifier,
    log,
    onAuthRefused,
  };
}
