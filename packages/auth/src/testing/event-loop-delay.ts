import { monitorEventLoopDelay } from "node:perf_hooks";
import { setImmediate } from "node:timers/promises";

const RESOLUTION_MS = 5;

/**
 * Run `work` while sampling this process's event loop every few milliseconds, and return its
 * result with the longest time the loop was blocked meanwhile (ms): how long any other request,
 * timer or socket of the process had to wait, which wall time cannot tell apart from I/O.
 */
export async function measureEventLoopDelay<T>(
  work: () => Promise<T>,
): Promise<{ readonly result: T; readonly maxDelayMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  try {
    const result = await work();
    // A block is recorded by the sample after it: work that ends in a synchronous block (as
    // sanitising an answer does) would otherwise go unmeasured.
    const samples = histogram.count;
    while (histogram.count === samples) await setImmediate();
    return { result, maxDelayMs: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}
