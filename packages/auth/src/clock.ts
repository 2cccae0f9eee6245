/**
 * Time as the key set, the token source and the api's streams and log limits see it: one clock
 * for every package. Injected so that tests move time forward instead of sleeping through it; the
 * default is the system clock.
 */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /**
   * Call `callback` once after `ms` milliseconds; returns a function that cancels it. `ms` is at
   * most MAX_TIMER_MS: like setTimeout, a longer delay (or one under 1 ms) runs after 1 ms, so a
   * longer wait is re-armed in steps. A `background` timer does not keep the process alive
   * (Node's `unref`): refreshes nobody waits for must not hold a process that is otherwise done.
   */
  setTimer(
    callback: () => void,
    ms: number,
    options?: { readonly background?: boolean },
  ): () => void;
}

/** setTimeout's ceiling (2^31-1 ms, about 24.8 days): the longest delay a timer can be set for. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The system clock: `Date.now()` and Node's timers, looked up at each call (so fake timers apply). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, ms, options) {
    const timer = setTimeout(callback, ms);
    if (options?.background === true) timer.unref();
    return () => clearTimeout(timer);
  },
};

/** The `fetch` the package uses; injected in tests, the global one otherwise. */
export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** The global `fetch`, looked up at each call so that a later replacement applies. */
export const globalFetch: Fetch = (input, init) => globalThis.fetch(input, init);

/**
 * An AbortSignal that aborts with a `TimeoutError` after `ms` on `clock` (what
 * `AbortSignal.timeout` does on the system clock), or when `cancel` of a caller aborts it.
 * `done()` clears the timer once the guarded work is over.
 */
export function clockTimeout(
  clock: Clock,
  ms: number,
): { readonly signal: AbortSignal; abort(reason?: unknown): void; done(): void } {
  const controller = new AbortController();
  const clear = clock.setTimer(
    () => controller.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError")),
    ms,
    { background: true },
  );
  return {
    signal: controller.signal,
    abort(reason?: unknown) {
      clear();
      controller.abort(reason ?? new DOMException("aborted", "AbortError"));
    },
    done: clear,
  };
}
