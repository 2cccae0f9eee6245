/** Test helpers for code that runs on the router's stream clock (not for production code). */
export { type ManualClock, manualClock } from "./testing/manual-stream-clock.ts";
