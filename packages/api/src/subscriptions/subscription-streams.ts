import { type AccessToken, type Clock, systemClock } from "@repo/auth/server";
import type { TRPCError } from "@trpc/server";
import { SubjectStreamCounts } from "./subject-stream-counts.ts";
import { shuttingDown, tokenBoundStream } from "./token-bound-stream.ts";

export interface SubscriptionStreamsOptions {
  /** Open streams one token subject may hold; one more is refused with 429. */
  readonly maxPerSubject: number;
  /** How often an open stream's token is verified again between events. Default 30 s. */
  readonly recheckIntervalMs?: number;
  /** Added to `exp` before a stream ends, as the verifier allows it. Default 0. */
  readonly clockToleranceMs?: number;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

export interface StreamOpening {
  readonly token: string;
  readonly auth: AccessToken;
  readonly verify: (token: string) => Promise<unknown>;
  readonly refuse: (error: unknown) => TRPCError;
  /** The call's abort signal: a stream never iterated still gives its slot back on abort. */
  readonly signal: AbortSignal | undefined;
}

export interface StreamSlot {
  /** `source`, ended when its token stops being valid; gives the slot back when it ends. */
  bind<T>(source: AsyncIterable<T>): AsyncIterable<T>;
  /** Give the slot back without streaming (the call failed before its stream existed). */
  release(): void;
}

export const DEFAULT_RECHECK_INTERVAL_MS = 30_000;

/**
 * The api's open subscription streams: bounded per subject, each bound to its token, all ended
 * with 503 on shutdown (tRPC's SSE client reconnects on 503).
 */
export class SubscriptionStreams {
  readonly #counts: SubjectStreamCounts;
  readonly #stops = new Set<(error: TRPCError) => void>();
  readonly #recheckIntervalMs: number;
  readonly #clockToleranceMs: number;
  readonly #clock: Clock;
  #closed = false;

  constructor(options: SubscriptionStreamsOptions) {
    this.#counts = new SubjectStreamCounts(options.maxPerSubject);
    this.#recheckIntervalMs = options.recheckIntervalMs ?? DEFAULT_RECHECK_INTERVAL_MS;
    this.#clockToleranceMs = options.clockToleranceMs ?? 0;
    this.#clock = options.clock ?? systemClock;
  }

  /** A slot for a new stream of `opening.auth.sub`, or undefined when the subject is at its bound. */
  open(opening: StreamOpening): StreamSlot | undefined {
    const release = this.#counts.acquire(opening.auth.sub);
    if (release === undefined) return undefined;
    opening.signal?.addEventListener("abort", release, { once: true });
    return {
      release,
      bind: (source) =>
        tokenBoundStream(source, {
          ...opening,
          clock: this.#clock,
          clockToleranceMs: this.#clockToleranceMs,
          recheckIntervalMs: this.#recheckIntervalMs,
          register: (stop) => {
            if (this.#closed) queueMicrotask(() => stop(shuttingDown()));
            this.#stops.add(stop);
            return () => this.#stops.delete(stop);
          },
          onEnd: release,
        }),
    };
  }

  /** Streams open for `subject` now. */
  openFor(subject: string): number {
    return this.#counts.count(subject);
  }

  /** End every open stream with 503, and any opened from now on. */
  closeAll(): void {
    this.#closed = true;
    for (const stop of this.#stops) stop(shuttingDown());
  }
}
