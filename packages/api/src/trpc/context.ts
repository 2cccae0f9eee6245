import {
  type AccessToken,
  type AccessTokenVerifier,
  type AuthErrorCode,
  createDpopPolicy,
  type DpopPolicy,
} from "@repo/auth/server";
import { openPglite } from "@repo/db";
import type { Logger } from "pino";
import { RefusalLog, type RefusalRecorder } from "../logging/refusal-log.ts";
import { MessageBoard } from "../messages/message-board.ts";
import type { RefusalOptions } from "../refusal.ts";
import { SubscriptionStreams } from "../subscriptions/subscription-streams.ts";
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
  /** Where this request's refusals are logged: one line for the request (see RefusalLog). */
  readonly refusals: RefusalRecorder;
  /** Told the reason of every refusal (metrics); absent when nothing observes. */
  readonly onAuthRefused?: ((reason: AuthErrorCode) => void) | undefined;
  /** Open subscription streams: per-subject bound, token binding, shutdown. */
  readonly streams: SubscriptionStreams;
  readonly messages: MessageBoard;
}

export interface ContextDeps {
  readonly verifier: AccessTokenVerifier;
  readonly log: Logger;
  /** Refusal lines: one per request, capped, rate-limited per reason. */
  readonly refusalLog: RefusalLog;
  readonly onAuthRefused?: ((reason: AuthErrorCode) => void) | undefined;
  readonly streams: SubscriptionStreams;
  readonly messages: MessageBoard;
  /**
   * RFC 9728 protected resource metadata URL, sent as `resource_metadata` in every Bearer
   * challenge (§5.1). Undefined: no such parameter.
   */
  readonly resourceMetadataUrl?: (() => string | undefined) | undefined;
  /** Which schemes, bindings and proofs are accepted (RFC 9449); holds the proof replay cache. */
  readonly dpop: DpopPolicy;
}

/** What the challenges of a refusal name, from the deps: metadata URL and DPoP mode. */
export function refusalOptions(deps: ContextDeps): RefusalOptions {
  return { resourceMetadata: deps.resourceMetadataUrl?.(), dpop: deps.dpop };
}

/**
 * Build a context from a request's credentials: the HTTP edge passes the request's one
 * RequestAuthorization (with its DPoP header, method and URL); a bare Authorization value is a
 * request without a proof (server-side callers, tests). `refusals` is where its refusals go:
 * the HTTP transports pass `deps.refusalLog.forResponse(res)` (one line per request); by default
 * each refusal is its own line (a caller with no request, such as a test).
 */
export function createContext(
  deps: ContextDeps,
  authorization: RequestAuthorization | string | readonly string[] | undefined,
  refusals: RefusalRecorder = deps.refusalLog.immediate,
): Context {
  // Keep this object small: tRPC copies it key by key for every middleware that extends it.
  return {
    authorization:
      authorization instanceof RequestAuthorization
        ? authorization
        : new RequestAuthorization(authorization, deps.dpop),
    auth: null,
    verifier: deps.verifier,
    log: deps.log,
    refusals,
    onAuthRefused: deps.onAuthRefused,
    streams: deps.streams,
    messages: deps.messages,
  };
}

/**
 * Context deps for calling procedures outside the HTTP server (tests): the given
 * verifier and logger, with the default DPoP policy, a refusal log (default limits), a stream registry and a message board
 * of their own (on an in-memory PGlite, opened at its first use).
 */
export function standaloneContextDeps(
  deps: Pick<ContextDeps, "verifier" | "log" | "onAuthRefused">,
): ContextDeps {
  return {
    ...deps,
    dpop: createDpopPolicy({ clock: deps.verifier.options.clock }),
    refusalLog: new RefusalLog(deps.log),
    streams: new SubscriptionStreams({ maxPerSubject: 10 }),
    messages: new MessageBoard({ open: () => openPglite(), lazy: true, log: deps.log }),
  };
}
