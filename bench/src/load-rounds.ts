import { BrokenSubjectError } from "./check-subject.ts";
import { median } from "./median.ts";
import { type LoadSample, runAutocannon } from "./run-autocannon.ts";
import type { BenchRoute, SubjectId } from "./subject-catalog.ts";
import type { SubjectProcess } from "./subject-process.ts";

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
  /** Summed over the rounds. */
  readonly errors: number;
}

export interface SubjectSample extends LoadSample {
  /** CPU time of the subject process per response, microseconds. */
  readonly cpuUs: number;
}

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
    sample: LoadSample,
  ) => void;
}

/**
 * Interleaved rounds: each round visits every subject once (starting one further along each round,
 * so no subject always runs first or last), and every route of it, with a discarded warm-up before
 * each measurement; the subject's own CPU time is read over IPC around each measurement. All routes
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
        const url = `${subject.url}${route.path}`;
        const load = { url, connections: options.connections, headers };
        if (options.warmupS > 0) await runAutocannon({ ...load, durationS: options.warmupS });
        const cpuBefore = await subject.cpuTime();
        const measured = await runAutocannon({ ...load, durationS: options.durationS });
        const cpuUs = ((await subject.cpuTime()) - cpuBefore) / Math.max(1, measured.requests);
        const sample: SubjectSample = { ...measured, cpuUs };
        // A valid token refused under load means the subject is broken, not slow.
        if (sample.non2xx > 0) {
          throw new BrokenSubjectError(
            `${subject.spec.label} answered ${sample.non2xx} non-2xx responses on ${route.path} under load`,
          );
        }
        options.onSample?.(round, subject, route, sample);
        const key = `${subject.spec.id} ${route.path}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
      }
    }
  }
  return subjects.flatMap((subject) =>
    subject.spec.routes.map((route): RouteResult => {
      const list = samples.get(`${subject.spec.id} ${route.path}`) ?? [];
      return {
        subject: subject.spec.id,
        label: subject.spec.label,
        route,
        samples: list,
        rps: median(list.map((s) => s.rps)),
        p50: median(list.map((s) => s.p50)),
        p99: median(list.map((s) => s.p99)),
        cpuUs: median(list.map((s) => s.cpuUs)),
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
