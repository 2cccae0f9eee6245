/**
 * @repo/api-router: the api's tRPC router and everything its procedures stand on. A typed client
 * needs only `import type { AppRouter }`; the deployable (apps/api) serves the router over HTTP
 * with the context, refusal mapping, stream registry and the one reader of tRPC internals
 * (trpc/trpc-internals.ts) exported here. A new procedure is built from publicProcedure or
 * protectedProcedure (with requireScopes), its input through checkedInput.
 */
export { capLogText } from "./logging/cap-log-text.ts";
export {
  type ClosingResponse,
  RefusalLog,
  type RefusalRecorder,
} from "./logging/refusal-log.ts";
export {
  REFUSAL_RATE_LIMIT_DEFAULTS,
  RefusalRateLimit,
  type RefusalRateLimitOptions,
} from "./logging/refusal-rate-limit.ts";
export type { DatabaseStatus } from "./messages/database-starter.ts";
export {
  type Message,
  MessageBoard,
  type MessageBoardOptions,
  REPLAY_LIMIT,
} from "./messages/message-board.ts";
export { FORBIDDEN_CHARACTERS_MESSAGE, MAX_MESSAGE_LENGTH } from "./messages/message-text.ts";
export {
  NO_STORE,
  type Refusal,
  type RefusalOptions,
  refusalHeaders,
  refusalOf,
} from "./refusal.ts";
export { type AppRouter, appRouter } from "./router.ts";
export {
  SubscriptionStreams,
  type SubscriptionStreamsOptions,
} from "./subscriptions/subscription-streams.ts";
export { TemporarilyUnavailable } from "./temporarily-unavailable.ts";
export { checkedInput, publicMessage } from "./trpc/checked-input.ts";
export {
  type Context,
  type ContextDeps,
  createContext,
  refusalOptions,
  standaloneContextDeps,
} from "./trpc/context.ts";
export {
  describeProcedures,
  type ProcedureAccess,
  scopesOf,
} from "./trpc/describe-procedures.ts";
export {
  protectedProcedure,
  publicProcedure,
  refuse,
  requireScopes,
  router,
} from "./trpc/procedures.ts";
export { RequestAuthorization } from "./trpc/request-authorization.ts";
export {
  PINNED_TRPC_SERVER_VERSION,
  type ProcedureInternals,
  type RouterInternals,
  routerInternals,
  withResolver,
} from "./trpc/trpc-internals.ts";
