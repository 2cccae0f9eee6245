import { measureSample, type SubjectSample } from "./measure-sample.ts";
import { median } from "./median.ts";
import type { BenchRoute, SubjectId } from "./subject-catalog.ts";
import type { SubjectProcess } from "./subject-process.ts";

/**
 * A subject busy for less than this share of one core during a measurement was waiting on the load
 * generator (or on a machine shared with it): its requests/s measure autocannon, not the subject,
 * and a ratio of two such numbers says nothing about the servers.
 */
export const SATURATED_CPU_PERCENT = 90;

export interface RouteResult {
  readonly subject: SubjectId;
  readonly label: string;
  readonly route: BenchRoute;
  /** One sample per round, in round order. */
  readonly samples: readonly SubjectSample[];
  /** Medians over the rounds, each statistic on its own. */
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** The subject process's CPU time (user + system) per response, microseconds: median. */
  readonly cpuUs: number;
  /** The subject process's CPU time over the measurement's wall time, % of one core: median. */
  readonly cpuPercent: number;
  /** Whether the median CPU use reached SATURATED_CPU_PERCENT; ratios count only when it did. */
  readonly saturated: boolean;
  /** Summed over the rounds. */
  readonly errors: number;
}

export type { SubjectSample } from "./measure-sample.ts";

export interface LoadRoundsOptions {
  readonly connections: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly rounds: number;
  readonly token: string;
  readonly onSample?: (
    round: number,
    subject: SubjectProcess,
    route: BenchRoute,
    sample: SubjectSample,
  ) => void;
}

/**
 * Interleaved rounds: each round visits every subject once (starting one further along each round,
 * so no subject always runs first or last), and every route of it, with a discarded warm-up before
 * each measurement; the subject's own CPU time is read over IPC around each measurement and set
 * against the load's duration (its CPU use, % of one core). All routes
 * carry the same Authorization header, so the only difference between a public and a protected
 * route is the verification.
 */
export async function runLoadRounds(
  subjects: readonly SubjectProcess[],
  options: LoadRoundsOptions,
): Promise<RouteResult[]> {
  const headers = { authorization: `Bearer ${options.token}` };
  const samples = new Map<string, SubjectSample[]>();
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < subjects.length; i++) {
      const subject = subjects[(round + i) % subjects.length] as SubjectProcess;
      for (const route of subject.spec.routes) {
        const sample = await measureSample(subject, route, {
          connections: options.connections,
          durationS: options.durationS,
          warmupS: options.warmupS,
          headers,
        });
        options.onSample?.(round, subject, route, sample);
        const key = `${subject.spec.id} ${route.path}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
      }
    }
  }
  return subjects.flatMap((subject) =>
    subject.spec.routes.map((route): RouteResult => {
      const list = samples.get(`${subject.spec.id} ${route.path}`) ?? [];
      const cpuPercent = median(list.map((s) => s.cpuPercent));
      return {
        subject: subject.spec.id,
        label: subject.spec.label,
        route,
        samples: list,
        rps: median(list.map((s) => s.rps)),
        p50: median(list.map((s) => s.p50)),
        p99: median(list.map((s) => s.p99)),
        cpuUs: median(list.map((s) => s.cpuUs)),
        cpuPercent,
        saturated: cpuPercent >= SATURATED_CPU_PERCENT,
        errors: list.reduce((sum, s) => sum + s.errors, 0),
      };
    }),
  );
}

export function findResult(
  results: readonly RouteResult[],
  subject: SubjectId,
  path: BenchRoute["path"],
): RouteResult {
  const found = results.find((r) => r.subject === subject && r.route.path === path);
  if (found === undefined) throw new Error(`no result for ${subject} ${path}`);
  return found;
}
