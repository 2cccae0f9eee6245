import type { StreamClock } from "../../src/subscriptions/stream-clock.ts";

export interface ManualClock extends StreamClock {
  /** Move time forward, running every timer that falls due, in order. */
  advance(ms: number): void;
  /** Timers waiting. */
  pending(): number;
}

/** A clock that moves only when told to, starting at `start` (default: the real now). */
export function manualClock(start = Date.now()): ManualClock {
  let now = start;
  const timers = new Set<{ at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const timer = { at: now + ms, callback };
      timers.add(timer);
      return () => timers.delete(timer);
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
        due.callback();
      }
      now = target;
    },
    pending: () => timers.size,
  };
}
