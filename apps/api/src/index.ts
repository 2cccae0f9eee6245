/**
 * The deployable's own surface, for its tests: start the server in-process and read its
 * configuration. No other workspace imports it (the router is @repo/api-router; tests elsewhere,
 * the demo, the soak and the benchmark start the entry point as a process, @repo/process).
 */
export { type ApiConfig, apiConfigFromEnv } from "./config.ts";
export { createLogger, type Logger } from "./logger.ts";
export { logKeySetEvent, type RunningApi, type StartApiOptions, startApi } from "./start-api.ts";
