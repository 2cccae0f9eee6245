/**
 * Time as open streams see it: when a token expires and when it is verified again. Injected so
 * tests drive time instead of waiting for it; the default is the system clock.
 */
export interface StreamClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Call `callback` once after `ms` (at most 2^31-1, setTimeout's ceiling: callers re-arm for a
   * longer wait); returns a function cancelling it.
   */
  setTimeout(callback: () => void, ms: number): () => void;
}

export const systemStreamClock: StreamClock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    // A pending expiry must not keep a process alive that is otherwise done.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
