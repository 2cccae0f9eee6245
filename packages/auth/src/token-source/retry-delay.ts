/**
 * Exponential backoff with full jitter: a random delay in [0, min(maxDelayMs, baseDelayMs *
 * 2^(attempt - 1))). Full jitter spreads the retries of many clients that failed together, so
 * they do not hit a recovering token endpoint in lockstep.
 *
 * @param attempt the attempt that just failed, from 1.
 */
export function retryDelayMs(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
