import { isSaturated, type LoadOptions, measureSample, type Sample } from "./measure-sample.ts";
import { type BenchRoute, routeName } from "./routes.ts";
import type { SubjectSpec } from "./subject-catalog.ts";
import type { SubjectProcess } from "./subject-process.ts";

/** One route of one subject over the rounds: each statistic the median of its rounds. */
export interface RouteResult extends Sample {
  readonly subject: SubjectSpec;
  readonly route: BenchRoute;
  /** Whether the median CPU use reached SATURATED_CPU_PERCENT. */
  readonly saturated: boolean;
}

export interface RoundsOptions extends LoadOptions {
  readonly rounds: number;
  readonly onSample?: (subject: SubjectProcess, route: BenchRoute, sample: Sample) => void;
}

/**
 * Interleaved rounds: each round visits every subject once, starting one further along each round
 * so that no subject always runs first or last, and every route of it.
 */
export async function runLoadRounds(
  subjects: readonly SubjectProcess[],
  options: RoundsOptions,
): Promise<RouteResult[]> {
  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < subjects.length; i++) {
      const subject = subjects[(round + i) % subjects.length] as SubjectProcess;
      for (const route of subject.spec.routes) {
        const sample = await measureSample(subject, route, options);
        options.onSample?.(subject, route, sample);
        const key = `${subject.spec.id} ${routeName(route)}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
      }
    }
  }
  return subjects.flatMap(({ spec }) =>
    spec.routes.map((route) =>
      summarizeRounds(spec, route, samples.get(`${spec.id} ${routeName(route)}`) ?? []),
    ),
  );
}

/** Each statistic's median over the rounds; errors summed. */
export function summarizeRounds(
  subject: SubjectSpec,
  route: BenchRoute,
  rounds: readonly Sample[],
): RouteResult {
  const of = (pick: (s: Sample) => number) => median(rounds.map(pick));
  const cpuPercent = of((s) => s.cpuPercent);
  return {
    subject,
    route,
    rps: of((s) => s.rps),
    p50: of((s) => s.p50),
    p99: of((s) => s.p99),
    errors: rounds.reduce((sum, s) => sum + s.errors, 0),
    cpuPercent,
    cpuUs: of((s) => s.cpuUs),
    saturated: isSaturated(cpuPercent),
  };
}

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
