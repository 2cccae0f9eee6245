import autocannon from "autocannon";
import type { BenchCredentials } from "./bench-issuer.ts";
import { BrokenSubjectError } from "./check-subject.ts";
import { proofPool, proofPoolSize, proofSigner } from "./dpop-proofs.ts";
import { type BenchRoute, routeName } from "./routes.ts";
import type { SubjectProcess } from "./subject-process.ts";

/** Under this share of a core a subject was waiting (on the load generator, for a core), not busy. */
export const SATURATED_CPU_PERCENT = 90;

/** One measurement of one route of one subject. */
export interface Sample {
  /** Responses per second over the run. */
  readonly rps: number;
  /** Latency percentiles, milliseconds (autocannon records whole milliseconds). */
  readonly p50: number;
  readonly p99: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** The subject's CPU time over the load's duration, % of one core. */
  readonly cpuPercent: number;
  /** The subject's CPU time per response, microseconds. */
  readonly cpuUs: number;
}

export interface LoadOptions {
  readonly connections: number;
  readonly durationS: number;
  /** Discarded load before the measurement; 0 for none. */
  readonly warmupS: number;
  /** Sent on every route, public ones too: a public and a protected route differ only by the check. */
  readonly credentials: BenchCredentials;
}

/**
 * A discarded warm-up, then autocannon with the subject's CPU time read from /proc before and after.
 * @throws BrokenSubjectError on any non-2xx answer: a valid token refused under load is a bug.
 */
export async function measureSample(
  subject: SubjectProcess,
  route: BenchRoute,
  options: LoadOptions,
): Promise<Sample> {
  const url = `${subject.url}${route.path}`;
  if (options.warmupS > 0) await runAutocannon(url, route, options, options.warmupS);
  const cpuBefore = subject.cpuSeconds();
  const result = await runAutocannon(url, route, options, options.durationS);
  const cpuS = subject.cpuSeconds() - cpuBefore;
  if (result.non2xx > 0) {
    throw new BrokenSubjectError(
      `${subject.spec.label} answered ${result.non2xx} non-2xx responses on ${routeName(route)} under load`,
    );
  }
  return {
    rps: result.requests.total / Math.max(result.duration, 1e-3),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    // Over autocannon's own duration: the time between the readings also holds its start and stop.
    cpuPercent: (100 * cpuS) / Math.max(result.duration, 1e-3),
    cpuUs: (1e6 * cpuS) / Math.max(result.requests.total, 1),
  };
}

/** Requests/s last seen per URL, which sizes its next pool of DPoP proofs (a guess before). */
const lastRps = new Map<string, number>();

/**
 * One autocannon run: GET, no pipelining, every request with the credentials of the route. It stops
 * only on a sample tick, so ticks of 100 ms (not its default second) keep a 0.5 s slice from lasting
 * a second.
 */
async function runAutocannon(url: string, route: BenchRoute, load: LoadOptions, seconds: number) {
  const { connections, credentials } = load;
  const run = { url, connections, duration: seconds, sampleInt: 100 };
  if (!route.dpop) {
    return autocannon({ ...run, headers: { authorization: `Bearer ${credentials.token}` } });
  }
  const { token, key } = credentials.dpop;
  const size = proofPoolSize(lastRps.get(url) ?? 10_000, seconds, connections);
  const proof = proofPool(proofSigner(key, "GET", url, token), size);
  const result = await autocannon({
    ...run,
    headers: { authorization: `DPoP ${token}` },
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, dpop: proof() } }) }],
  });
  lastRps.set(url, result.requests.total / Math.max(result.duration, 1e-3));
  return result;
}

/** Whether a CPU use (% of one core) shows the subject was what limited the throughput. */
export function isSaturated(cpuPercent: number): boolean {
  return cpuPercent >= SATURATED_CPU_PERCENT;
}
