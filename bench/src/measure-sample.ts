import { BrokenSubjectError } from "./check-subject.ts";
import { type LoadSample, runAutocannon } from "./run-autocannon.ts";
import type { BenchRoute } from "./subject-catalog.ts";
import type { SubjectProcess } from "./subject-process.ts";

export interface SubjectSample extends LoadSample {
  /** CPU time of the subject process per response, microseconds. */
  readonly cpuUs: number;
  /** CPU time of the subject process over the load's duration, % of one core. */
  readonly cpuPercent: number;
}

export interface SampleOptions {
  readonly connections: number;
  readonly durationS: number;
  /** Discarded load before the measurement; 0 for none. */
  readonly warmupS: number;
  /** Sent with every request: the same Authorization header on every route. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * One measurement of one route: a discarded warm-up, then autocannon with the subject's own CPU
 * time read over IPC before and after, set against the load's duration.
 * @throws BrokenSubjectError when it answers anything but 2xx: a valid token refused under load
 *   means the subject is broken, not slow.
 */
export async function measureSample(
  subject: SubjectProcess,
  route: BenchRoute,
  options: SampleOptions,
): Promise<SubjectSample> {
  const load = {
    url: `${subject.url}${route.path}`,
    connections: options.connections,
    headers: options.headers,
  };
  if (options.warmupS > 0) await runAutocannon({ ...load, durationS: options.warmupS });
  const cpuBefore = await subject.cpuTime();
  const measured = await runAutocannon({ ...load, durationS: options.durationS });
  const cpuUsed = (await subject.cpuTime()) - cpuBefore;
  // Over the load's own duration, not the wall time between the readings: that also holds
  // autocannon's start and stop and the IPC round trips, 1-3% of a 2 s slice, idle for the subject.
  const loadUs = measured.durationS * 1e6;
  if (measured.non2xx > 0) {
    throw new BrokenSubjectError(
      `${subject.spec.label} answered ${measured.non2xx} non-2xx responses on ${route.path} under load`,
    );
  }
  return {
    ...measured,
    cpuUs: cpuUsed / Math.max(1, measured.requests),
    cpuPercent: (100 * cpuUsed) / Math.max(1, loadUs),
  };
}
