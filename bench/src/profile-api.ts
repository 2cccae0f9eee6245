import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkSubject } from "./check-subject.ts";
import type { CpuPinning } from "./cpu-pinning.ts";
import { type ProfileSummary, summarizeCpuProfile } from "./cpu-profile.ts";
import { runAutocannon } from "./run-autocannon.ts";
import { type BenchRoute, subjectSpec } from "./subject-catalog.ts";
import { startSubject } from "./subject-process.ts";

export interface ProfileOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly token: string;
  readonly sub: string;
  /** Profiled one after the other in the same api process. */
  readonly routes: readonly BenchRoute["path"][];
  readonly seconds: number;
  readonly connections: number;
  /** The subject's CPU (see cpu-pinning.ts). */
  readonly pinning?: CpuPinning | undefined;
  /** The subject's node binary (see StartSubjectOptions.node). */
  readonly node?: string | undefined;
}

export interface RouteProfile extends ProfileSummary {
  readonly route: BenchRoute["path"];
  readonly seconds: number;
  readonly connections: number;
  readonly rps: number;
  /** Responses completed while profiled. */
  readonly requests: number;
  /** CPU time (user + system) of the api process per request while profiled, microseconds. */
  readonly cpuUs: number;
  /** CPU time of the api process over the profiled wall time, % of one core. */
  readonly cpuPercent: number;
}

export interface ProfileComparison {
  readonly base: BenchRoute["path"];
  readonly target: BenchRoute["path"];
  /** Busy (non-idle) main-thread time per request, microseconds: wall-clock samples. */
  readonly baseBusyUs: number;
  readonly targetBusyUs: number;
  /** CPU time of the process per request, microseconds. */
  readonly baseCpuUs: number;
  readonly targetCpuUs: number;
  /** Functions whose self time per request grew by less than this were left out, µs. */
  readonly thresholdUs: number;
  /** How many functions grew by less than the threshold, or not at all (left out). */
  readonly omitted: number;
  /** Functions whose self time per request grew the most from base to target, in µs. */
  readonly functions: readonly {
    readonly name: string;
    readonly where: string;
    readonly baseUs: number;
    readonly targetUs: number;
  }[];
}

/**
 * Start an api subject, and for each route: warm it up for a second, then load it for `seconds`
 * with the V8 CPU profiler on (the one behind `node --cpu-prof`, started over the inspector so that
 * module loading and the warm-up stay out of the profile); summarize self time.
 */
export async function profileApi(options: ProfileOptions): Promise<RouteProfile[]> {
  const dir = await mkdtemp(join(tmpdir(), "bench-cpu-prof-"));
  const api = await startSubject(subjectSpec("api"), {
    env: options.env,
    pinning: options.pinning,
    node: options.node,
  });
  try {
    await checkSubject(api, options.token, options.sub);
    const profiles: RouteProfile[] = [];
    for (const [index, route] of options.routes.entries()) {
      const path = join(dir, `${index}.cpuprofile`);
      const load = {
        url: `${api.url}${route}`,
        connections: options.connections,
        headers: { authorization: `Bearer ${options.token}` },
      };
      await runAutocannon({ ...load, durationS: 1 });
      await api.startProfile();
      const cpuBefore = await api.cpuTime();
      const wallBefore = performance.now();
      const sample = await runAutocannon({ ...load, durationS: options.seconds });
      const cpu = (await api.cpuTime()) - cpuBefore;
      const wallUs = (performance.now() - wallBefore) * 1000;
      await api.stopProfile(path);
      profiles.push({
        ...summarizeCpuProfile(await readFile(path, "utf8")),
        route,
        seconds: options.seconds,
        connections: options.connections,
        rps: sample.rps,
        requests: sample.requests,
        cpuUs: cpu / Math.max(1, sample.requests),
        cpuPercent: (100 * cpu) / Math.max(1, wallUs),
      });
    }
    return profiles;
  } finally {
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Below this change of self time per request a row is sampling noise, not a finding: at V8's
 * default 1 ms sampling interval, 5 s at 15,000 req/s give one sample per ≈0.013 µs/request.
 */
export const COMPARISON_THRESHOLD_US = 0.1;

/**
 * Where the extra time per request of `target` over `base` goes, by function: the `top` functions
 * whose self time per request grew the most in µs (not in %: a function going from 0.001 to 0.01 µs
 * grew tenfold and matters not at all), leaving out every increase below `thresholdUs`.
 */
export function compareProfiles(
  base: RouteProfile,
  target: RouteProfile,
  top = 12,
  thresholdUs = COMPARISON_THRESHOLD_US,
): ProfileComparison {
  const perRequest = (profile: RouteProfile) =>
    new Map(
      profile.functions.map((f) => [
        `${f.name} ${f.where}`,
        { name: f.name, where: f.where, us: (f.ms * 1000) / profile.requests },
      ]),
    );
  const before = perRequest(base);
  const after = perRequest(target);
  const changes = [...new Set([...before.keys(), ...after.keys()])].map((key) => {
    const f = (after.get(key) ?? before.get(key)) as { name: string; where: string };
    return {
      name: f.name,
      where: f.where,
      baseUs: before.get(key)?.us ?? 0,
      targetUs: after.get(key)?.us ?? 0,
    };
  });
  const significant = changes
    .filter((f) => f.targetUs - f.baseUs >= thresholdUs)
    .sort((a, b) => b.targetUs - b.baseUs - (a.targetUs - a.baseUs));
  const functions = significant.slice(0, top);
  return {
    base: base.route,
    target: target.route,
    baseBusyUs: (base.busyMs * 1000) / base.requests,
    targetBusyUs: (target.busyMs * 1000) / target.requests,
    baseCpuUs: base.cpuUs,
    targetCpuUs: target.cpuUs,
    thresholdUs,
    omitted: changes.length - significant.length,
    functions,
  };
}
