/**
 * `@repo/auth/testing`: what tests of code built on @repo/auth need to drive time. Never imported
 * by production code.
 */
export { issuedAtMs } from "./testing/issued-at.ts";
export { ManualClock } from "./testing/manual-clock.ts";
