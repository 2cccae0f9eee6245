import { type Clock, MAX_TIMER_MS } from "../clock.ts";

interface PendingTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly delayMs: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told (tests). Timers fire in due order during `advance`, each with
 * `now()` set to its due time, so code that schedules by this clock behaves as it would after that
 * much real time, without any real wait. Delays behave as Node's do: one under 1 ms, over
 * MAX_TIMER_MS or not a number runs after 1 ms, so a wait Node would cut short is cut short here
 * too. I/O started by a timer still runs in real time: wait for its outcome with `vi.waitFor` /
 * `expect.poll`.
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: PendingTimer[] = [];
  #fired = 0;
  #staleCancels = 0;

  /** Starts at `start` (default: the real current time, so tokens minted now are valid). */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, ms: number): () => void {
    const effectiveMs = ms >= 1 && ms <= MAX_TIMER_MS ? ms : 1;
    const timer = { id: this.#nextId++, dueAt: this.#now + effectiveMs, delayMs: ms, callback };
    this.#timers.push(timer);
    return () => {
      const before = this.#timers.length;
      this.#timers = this.#timers.filter((t) => t.id !== timer.id);
      if (this.#timers.length === before) this.#staleCancels += 1;
    };
  }

  /** The timers not yet fired, soonest first: their delay as scheduled and when they are due. */
  pending(): ReadonlyArray<{ readonly delayMs: number; readonly dueInMs: number }> {
    return this.#sorted().map((t) => ({ delayMs: t.delayMs, dueInMs: t.dueAt - this.#now }));
  }

  /** Timers fired so far. */
  fired(): number {
    return this.#fired;
  }

  /**
   * Cancels of a timer that had already fired or been cancelled: each is a handle its owner kept
   * after it was of any use (a list of them would grow with every timer set).
   */
  staleCancels(): number {
    return this.#staleCancels;
  }

  /** Move time forward by `ms`, firing every timer due meanwhile (those they set, too). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#sorted()[0];
      if (next === undefined || next.dueAt > target) break;
      this.#timers = this.#timers.filter((t) => t.id !== next.id);
      this.#now = Math.max(this.#now, next.dueAt);
      this.#fired += 1;
      next.callback();
    }
    this.#now = target;
  }

  #sorted(): PendingTimer[] {
    return [...this.#timers].sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
  }
}
