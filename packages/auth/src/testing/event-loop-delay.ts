import { monitorEventLoopDelay } from "node:perf_hooks";
import { setImmediate } from "node:timers/promises";

const RESOLUTION_MS = 5;

/** How long `measureEventLoopDelay`'s work held up the event loop. */
export interface EventLoopDelay<T> {
  readonly result: T;
  /** The longest time the loop was late meanwhile, whatever the cause (ms). */
  readonly maxDelayMs: number;
  /** CPU time the process spent meanwhile, every thread included (ms). */
  readonly cpuMs: number;
  /**
   * The longest stall this process can have caused itself: `maxDelayMs`, unless the process did
   * not even spend that much CPU time in all (then the machine held it up, not its own work).
   */
  readonly ownStallMs: number;
}

/**
 * Run `work` while sampling this process's event loop every few milliseconds, and return its
 * result with the longest time the loop was blocked meanwhile: how long any other request, timer
 * or socket of the process had to wait, which wall time cannot tell apart from I/O.
 */
export async function measureEventLoopDelay<T>(work: () => Promise<T>): Promise<EventLoopDelay<T>> {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  try {
    // A sample records the time since the one before; the first only starts that clock, so a
    // block before it would go unmeasured.
    while (histogram.count === 0) await setImmediate();
    const cpuBefore = process.cpuUsage();
    const result = await work();
    // A block is recorded by the sample after it: wait for that one too.
    const samples = histogram.count;
    while (histogram.count === samples) await setImmediate();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const maxDelayMs = histogram.max / 1e6;
    return { result, maxDelayMs, cpuMs, ownStallMs: Math.min(maxDelayMs, cpuMs) };
  } finally {
    histogram.disable();
  }
}
