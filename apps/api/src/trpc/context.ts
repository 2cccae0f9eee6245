import type { AccessToken, AccessTokenVerifier, AuthErrorCode } from "@repo/auth/server";
import type { Logger } from "../logger.ts";
import type { MessageBoard } from "../messages/message-board.ts";
import type { SubscriptionStreams } from "../subscriptions/subscription-streams.ts";

/**
 * What every procedure sees. `createContext` only reads the request (tRPC v11: throwing here would
 * fail every call of a batch, the public ones too); verification happens in protectedProcedure,
 * which narrows `auth` to a verified token.
 */
export interface Context {
  /** The raw Authorization header, verified lazily by protectedProcedure. */
  readonly authorization: string | readonly string[] | undefined;
  /** null until protectedProcedure has verified the token. */
  readonly auth: AccessToken | null;
  readonly verifier: AccessTokenVerifier;
  readonly log: Logger;
  /** Told the reason of every refusal (metrics); absent when nothing observes. */
  readonly onAuthRefused?: ((reason: AuthErrorCode) => void) | undefined;
  /** Open subscription streams: per-subject bound, token binding, shutdown. */
  readonly streams: SubscriptionStreams;
  readonly messages: MessageBoard;
}

export interface ContextDeps {
  readonly verifier: AccessTokenVerifier;
  readonly log: Logger;
  readonly onAuthRefused?: ((reason: AuthErrorCode) => void) | undefined;
  readonly streams: SubscriptionStreams;
  readonly messages: MessageBoard;
  /**
   * RFC 9728 protected resource metadata URL, sent as `resource_metadata` in every Bearer
   * challenge (§5.1). Undefined: no such parameter.
   */
  readonly resourceMetadataUrl?: (() => string | undefined) | undefined;
}

/** Build a context from a request's Authorization header(s). */
export function createContext(
  deps: ContextDeps,
  authorization: string | readonly string[] | undefined,
): Context {
  return {
    authorization,
    auth: null,
    verifier: deps.verifier,
    log: deps.log,
    onAuthRefused: deps.onAuthRefused,
    streams: deps.streams,
    messages: deps.messages,
  };
}
