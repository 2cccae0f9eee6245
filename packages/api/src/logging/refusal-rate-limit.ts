import { type AuthErrorCode, type Clock, systemClock } from "@repo/auth/server";
import type { Logger } from "pino";

/** What a refusal line is counted under: the AuthError code, or a refused stream. */
export type RefusalReason = AuthErrorCode | "too_many_streams";

export interface RefusalRateLimitOptions {
  /**
   * Refusal lines per reason per window; past it refusals are counted, not logged. 0: none at all,
   * only the counts. Default 60.
   */
  readonly linesPerReason?: number;
  /** How long a window lasts from its first refusal. Default 60 000 ms. */
  readonly windowMs?: number;
  /** Default: the system clock (tests drive a ManualClock). */
  readonly clock?: Clock;
}

export const REFUSAL_RATE_LIMIT_DEFAULTS = { linesPerReason: 60, windowMs: 60_000 } as const;

/**
 * At most `linesPerReason` refusal lines per reason in one window; a window opens with the first
 * refusal after a quiet spell and lasts `windowMs`. When it ends, one `auth_refusals_suppressed`
 * line counts by reason what was left out (no line when nothing was). A flood of refused requests
 * thus costs the log a few lines a minute whatever its rate, and its size stays known (the
 * refusal metric counts every one as well). Its timer never keeps the process alive.
 */
export class RefusalRateLimit {
  readonly #log: Logger;
  readonly #linesPerReason: number;
  readonly #windowMs: number;
  readonly #clock: Clock;
  readonly #written = new Map<RefusalReason, number>();
  readonly #suppressed = new Map<RefusalReason, number>();
  #windowStart = 0;
  #cancelWindow: (() => void) | undefined;

  constructor(log: Logger, options: RefusalRateLimitOptions = {}) {
    const linesPerReason = options.linesPerReason ?? REFUSAL_RATE_LIMIT_DEFAULTS.linesPerReason;
    const windowMs = options.windowMs ?? REFUSAL_RATE_LIMIT_DEFAULTS.windowMs;
    if (!Number.isInteger(linesPerReason) || linesPerReason < 0) {
      throw new RangeError(`linesPerReason must be a whole number >= 0, got ${linesPerReason}`);
    }
    if (!Number.isInteger(windowMs) || windowMs < 1) {
      throw new RangeError(`windowMs must be a whole number >= 1, got ${windowMs}`);
    }
    this.#log = log;
    this.#linesPerReason = linesPerReason;
    this.#windowMs = windowMs;
    this.#clock = options.clock ?? systemClock;
  }

  /** Whether a line for `reason` may be written now; when not, the refusal is counted instead. */
  admit(reason: RefusalReason): boolean {
    if (this.#cancelWindow === undefined) {
      this.#windowStart = this.#clock.now();
      this.#cancelWindow = this.#clock.setTimer(() => this.#endWindow(), this.#windowMs, {
        background: true,
      });
    }
    const written = this.#written.get(reason) ?? 0;
    if (written < this.#linesPerReason) {
      this.#written.set(reason, written + 1);
      return true;
    }
    this.#suppressed.set(reason, (this.#suppressed.get(reason) ?? 0) + 1);
    return false;
  }

  /** End the window now: report what it suppressed so far, and leave no timer behind (shutdown). */
  close(): void {
    this.#cancelWindow?.();
    this.#endWindow();
  }

  #endWindow(): void {
    this.#cancelWindow = undefined;
    if (this.#suppressed.size > 0) {
      let total = 0;
      for (const count of this.#suppressed.values()) total += count;
      this.#log.warn(
        {
          event: "auth_refusals_suppressed",
          suppressed: Object.fromEntries(this.#suppressed),
          total,
          windowMs: this.#clock.now() - this.#windowStart,
          linesPerReason: this.#linesPerReason,
        },
        `${total} refusal log line(s) suppressed by the per-reason limit`,
      );
    }
    this.#written.clear();
    this.#suppressed.clear();
  }
}
