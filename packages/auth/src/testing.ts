/**
 * `@repo/auth/testing`: what tests of code built on @repo/auth need to drive time. Never imported
 * by production code.
 */
export { ManualClock } from "./testing/manual-clock.ts";
