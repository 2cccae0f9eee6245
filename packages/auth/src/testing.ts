/**
 * `@repo/auth/testing`: what tests of code built on @repo/auth need to drive time, and to measure how long work blocks the event loop. Never imported
 * by production code.
 */
export { type EventLoopDelay, measureEventLoopDelay } from "./testing/event-loop-delay.ts";
export { issuedAtMs } from "./testing/issued-at.ts";
export { ManualClock } from "./testing/manual-clock.ts";
