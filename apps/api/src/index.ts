/**
 * @repo/api: the tRPC router's type (for typed clients, `import type { AppRouter }`) and a way to
 * start the server in-process (tests, the demo, benchmarks), and the request context the
 * procedures run with and the way the api's HTTP paths call them (benchmarks call the procedures
 * without HTTP).
 */
export { type ApiConfig, apiConfigFromEnv } from "./config.ts";
export { callProcedure, type ProcedureCallOptions } from "./http/call-procedure.ts";
export { createLogger, type Logger } from "./logger.ts";
export { type AppRouter, appRouter } from "./router.ts";
export { logKeySetEvent, type RunningApi, type StartApiOptions, startApi } from "./start-api.ts";
export { type Context, createContext, standaloneContextDeps } from "./trpc/context.ts";
