import { type AccessToken, AuthError, type Clock, MAX_TIMER_MS } from "@repo/auth/server";
import { TRPCError } from "@trpc/server";

export interface TokenBoundStreamOptions {
  /** The raw token the stream was opened with. */
  readonly token: string;
  /** The verified token, for its expiry. */
  readonly auth: AccessToken;
  /** Verify `token` again: resolves while it is still valid, rejects with why not. */
  readonly verify: (token: string) => Promise<unknown>;
  /** The error a refusal becomes (logged once, mapped to UNAUTHORIZED, FORBIDDEN or 503). */
  readonly refuse: (error: unknown) => TRPCError;
  readonly clock: Clock;
  /** Added to `exp`, as the verifier allows it. */
  readonly clockToleranceMs: number;
  readonly recheckIntervalMs: number;
  /** Ends the stream from outside (server shutdown); the error is sent to the client. */
  readonly register: (stop: (error: TRPCError) => void) => () => void;
  /** Called once when the stream ends, however it ends. */
  readonly onEnd: () => void;
}

/**
 * `source`, ended as soon as its token stops being valid. Nothing upstream does this: tRPC checks
 * a subscription's credentials once, when it opens, so without it a stream opened with a token
 * that later expires, or whose signing key is withdrawn, would flow for ever.
 * - at `exp` (plus the verifier's clock tolerance) the stream ends with UNAUTHORIZED `expired`;
 * - before each event and every `recheckIntervalMs` the token is verified again through the
 *   verifier, whose cache drops a token once its key has left the key set: a withdrawn key ends
 *   the stream at the first check after the key set refresh that removed it;
 * - one timer at a time watches both, for whichever comes first, re-armed in steps of at most
 *   MAX_TIMER_MS and cancelled when replaced or when the stream ends: a stream's state does not
 *   grow with its age;
 * - the source is never awaited after the end (it may wait on events that never come); tRPC
 *   aborts its signal once the response is over.
 */
export async function* tokenBoundStream<T>(
  source: AsyncIterable<T>,
  options: TokenBoundStreamOptions,
): AsyncGenerator<T, void, undefined> {
  const { clock } = options;
  let stop: (error: TRPCError) => void = () => {};
  const stopped = new Promise<never>((_resolve, reject) => {
    stop = reject;
  });
  // Handled by the races below; this keeps an unobserved rejection from being reported.
  stopped.catch(() => {});
  let ended = false;
  let cancelTimer: (() => void) | undefined;
  const end = (error: TRPCError) => {
    if (ended) return;
    ended = true;
    cancelTimer?.();
    cancelTimer = undefined;
    stop(error);
  };

  const recheck = async (): Promise<void> => {
    try {
      await options.verify(options.token);
    } catch (error) {
      end(options.refuse(error));
    }
  };

  const expiresAtMs = options.auth.expiresAt.getTime() + options.clockToleranceMs;
  let recheckAtMs = clock.now() + options.recheckIntervalMs;
  // While a periodic re-check is verifying, the timer watches the expiry alone.
  let rechecking = false;
  const arm = () => {
    cancelTimer?.();
    cancelTimer = undefined;
    if (ended) return;
    const dueAtMs = rechecking ? expiresAtMs : Math.min(expiresAtMs, recheckAtMs);
    const waitMs = Math.min(Math.max(dueAtMs - clock.now(), 0), MAX_TIMER_MS);
    // In the background: a pending expiry must not keep a process alive that is otherwise done.
    cancelTimer = clock.setTimer(wake, waitMs, { background: true });
  };
  const wake = () => {
    cancelTimer = undefined;
    if (ended) return;
    const now = clock.now();
    // Negated, so that an expiry that is no number (an Invalid Date) ends the stream too.
    if (!(now < expiresAtMs)) {
      end(options.refuse(new AuthError("expired", "Token has expired")));
      return;
    }
    if (!rechecking && now >= recheckAtMs) {
      rechecking = true;
      recheck().then(
        () => {
          rechecking = false;
          recheckAtMs = clock.now() + options.recheckIntervalMs;
          arm();
        },
        // recheck never rejects: refuse() turns anything into a TRPCError.
        () => {},
      );
    }
    arm();
  };

  const unregister = options.register(end);
  const iterator = source[Symbol.asyncIterator]();
  try {
    wake();
    while (true) {
      const result = await Promise.race([iterator.next(), stopped]);
      if (result.done) return;
      await Promise.race([recheck(), stopped]);
      if (ended) await stopped;
      yield result.value;
    }
  } finally {
    ended = true;
    cancelTimer?.();
    cancelTimer = undefined;
    unregister();
    options.onEnd();
    // Not awaited: a source blocked on its next event only returns once tRPC aborts its signal.
    Promise.resolve()
      .then(() => iterator.return?.())
      .catch(() => {});
  }
}

/** The error open streams end with when the server shuts down; clients reconnect elsewhere. */
export function shuttingDown(): TRPCError {
  return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Server is shutting down" });
}
