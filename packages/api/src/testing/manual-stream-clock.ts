import type { StreamClock } from "../subscriptions/stream-clock.ts";

export interface ManualClock extends StreamClock {
  /** Move time forward, running every timer that falls due, in order. */
  advance(ms: number): void;
  /** Timers waiting. */
  pending(): number;
  /** Milliseconds until the soonest waiting timer is due, or undefined when none waits. */
  nextDueInMs(): number | undefined;
  /** Timers run so far. */
  fired(): number;
  /**
   * Cancels of a timer that had already run or been cancelled: each is a handle its owner kept
   * after it was of any use (a list of them grows with every timer set).
   */
  staleCancels(): number;
}

// Node's setTimeout ceiling: a delay above it, below 1 ms or not a number runs after 1 ms.
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * A clock that moves only when told to, starting at `start` (default: the real now). Its delays
 * behave as Node's do, so a wait Node would cut short is cut short here too.
 */
export function manualClock(start = Date.now()): ManualClock {
  let now = start;
  let fired = 0;
  let staleCancels = 0;
  const timers = new Set<{ at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const delay = ms >= 1 && ms <= MAX_DELAY_MS ? ms : 1;
      const timer = { at: now + delay, callback };
      timers.add(timer);
      return () => {
        if (!timers.delete(timer)) staleCancels += 1;
      };
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        let due: { at: number; callback: () => void } | undefined;
        for (const timer of timers)
          if (timer.at <= target && (!due || timer.at < due.at)) due = timer;
        if (due === undefined) break;
        timers.delete(due);
        now = due.at;
        fired += 1;
        due.callback();
      }
      now = target;
    },
    pending: () => timers.size,
    nextDueInMs() {
      let soonest: number | undefined;
      for (const timer of timers)
        if (soonest === undefined || timer.at < soonest) soonest = timer.at;
      return soonest === undefined ? undefined : soonest - now;
    },
    fired: () => fired,
    staleCancels: () => staleCancels,
  };
}
