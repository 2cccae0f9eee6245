import { formatBytes, formatCount, formatNumber } from "./format.ts";
import { findResult, type RouteResult, SATURATED_CPU_PERCENT } from "./load-rounds.ts";
import { median } from "./median.ts";
import type { MemoryResult } from "./memory-bench.ts";

/** "not measured": the run cannot decide (a subject not saturated, too few tokens). */
export type Verdict = "pass" | "miss" | "not measured";

export interface TargetResult {
  readonly description: string;
  /** What the verdict rests on, e.g. "42,480 / 49,424 req/s". */
  readonly measured: string;
  /** The measured value (a ratio, µs...), formatted; shown even when not judged. */
  readonly value: string;
  /** The requirement, formatted: "≥ 1.00", "≤ 2.00 µs". */
  readonly required: string;
  readonly verdict: Verdict;
  /** By how much it was met or missed, or why it was not judged. */
  readonly margin: string;
  /** Throughput ratios only: the median over the rounds of the ratio within each round. */
  readonly pairedRatio?: number;
  /** Throughput ratios only: the inverse ratio of server CPU time per request. */
  readonly cpuRatio?: number;
}

export function verdictLabel(verdict: Verdict): string {
  return verdict === "pass" ? "PASS" : verdict === "miss" ? "MISS" : "NOT MEASURED";
}

/** Server CPU per request that authentication on a cache hit may add to a tRPC query. */
export const AUTH_CPU_BUDGET_US = 2;
/** The memory target's flood: this many distinct valid tokens. */
export const MEMORY_TARGET_TOKENS = 100_000;

/**
 * The performance targets (docs/benchmarks.md), from the medians of one run. A throughput or CPU verdict comes
 * only from saturated subjects (each used at least SATURATED_CPU_PERCENT of a core): otherwise it is
 * "not measured", with the value still shown.
 */
export function evaluateTargets(
  results: readonly RouteResult[],
  memory: MemoryResult | undefined,
): TargetResult[] {
  const api = (path: RouteResult["route"]["path"]) => findResult(results, "api", path);
  const trpcPublic = api("/trpc/public");
  const trpcProtected = api("/trpc/protected");
  const restProtected = api("/protected");
  const tuned = findResult(results, "fastify-tuned", "/protected");
  const best = trpcProtected.rps >= restProtected.rps ? trpcProtected : restProtected;
  return [
    ratioTarget(
      "REST /protected ≥ 1.0 × the tuned Fastify peer's /protected",
      restProtected,
      tuned,
      1,
    ),
    ratioTarget(
      "/trpc/protected ≥ 0.9 × the tuned Fastify peer's /protected",
      trpcProtected,
      tuned,
      0.9,
    ),
    authCpuTarget(trpcProtected, trpcPublic),
    ratioTarget(
      "/trpc/protected ≥ 0.9 × /trpc/public on the same server",
      trpcProtected,
      trpcPublic,
      0.9,
    ),
    ratioTarget(
      "best protected route of this api ≥ 0.6 × the bare node:http ceiling (same route)",
      best,
      findResult(results, "bare-http", best.route.path),
      0.6,
    ),
    memoryTarget(memory),
  ];
}

function name(r: RouteResult): string {
  return `${r.label} ${r.route.path}`;
}

/** Why the verdict is withheld, or undefined when every route was saturated. */
function unsaturated(routes: readonly RouteResult[]): string | undefined {
  const idle = routes.filter((r) => !r.saturated);
  if (idle.length === 0) return undefined;
  return `not saturated (< ${SATURATED_CPU_PERCENT}% of a core): ${idle
    .map((r) => `${name(r)} ${formatNumber(r.cpuPercent)}%`)
    .join(", ")}`;
}

function ratioTarget(
  description: string,
  numerator: RouteResult,
  denominator: RouteResult,
  required: number,
): TargetResult {
  const ratio = numerator.rps / denominator.rps;
  const common = {
    description,
    measured: `${formatCount(numerator.rps)} / ${formatCount(denominator.rps)} req/s`,
    value: ratio.toFixed(2),
    required: `≥ ${required.toFixed(2)}`,
    pairedRatio: median(
      numerator.samples.map(
        (sample, round) => sample.rps / (denominator.samples[round]?.rps ?? Number.NaN),
      ),
    ),
    cpuRatio: denominator.cpuUs / numerator.cpuUs,
  };
  const withheld = unsaturated([numerator, denominator]);
  if (withheld !== undefined) return { ...common, verdict: "not measured", margin: withheld };
  const pass = ratio >= required;
  const percent = Math.abs(ratio / required - 1) * 100;
  const needed = required * denominator.rps - numerator.rps;
  return {
    ...common,
    verdict: pass ? "pass" : "miss",
    margin: pass
      ? `met with ${percent.toFixed(1)}% to spare`
      : `missed by ${(required - ratio).toFixed(2)} (${percent.toFixed(1)}% short; needs ${formatCount(needed)} more req/s)`,
  };
}

/**
 * Authentication's cost on a cache hit, as the server's CPU time per request of /trpc/protected
 * minus /trpc/public (every request carries the token, so verification is the only difference).
 */
function authCpuTarget(trpcProtected: RouteResult, trpcPublic: RouteResult): TargetResult {
  const extra = trpcProtected.cpuUs - trpcPublic.cpuUs;
  const paired = median(
    trpcProtected.samples.map(
      (sample, round) => sample.cpuUs - (trpcPublic.samples[round]?.cpuUs ?? Number.NaN),
    ),
  );
  const common = {
    description: `server CPU per request of /trpc/protected − /trpc/public ≤ ${AUTH_CPU_BUDGET_US} µs (cache hit)`,
    measured: `${formatNumber(trpcProtected.cpuUs)} − ${formatNumber(trpcPublic.cpuUs)} µs (paired by round: ${signed(paired)} µs)`,
    value: `${signed(extra)} µs`,
    required: `≤ ${AUTH_CPU_BUDGET_US.toFixed(2)} µs`,
  };
  const withheld = unsaturated([trpcProtected, trpcPublic]);
  if (withheld !== undefined) return { ...common, verdict: "not measured", margin: withheld };
  const pass = extra <= AUTH_CPU_BUDGET_US;
  return {
    ...common,
    verdict: pass ? "pass" : "miss",
    margin: pass
      ? `met with ${formatNumber(AUTH_CPU_BUDGET_US - extra)} µs to spare`
      : `missed by ${formatNumber(extra - AUTH_CPU_BUDGET_US)} µs per request`,
  };
}

function memoryTarget(memory: MemoryResult | undefined): TargetResult {
  const description = `memory: ${formatCount(MEMORY_TARGET_TOKENS)} distinct tokens stay within the cache bound`;
  const required = "flat after the bound";
  if (memory === undefined) {
    return {
      description,
      measured: "—",
      value: "—",
      required,
      verdict: "not measured",
      margin: "memory run skipped",
    };
  }
  const measured = `${formatCount(memory.tokens)} tokens, bound ${formatCount(memory.cacheBound)} entries`;
  const value =
    memory.growthAfterBound === undefined
      ? "—"
      : `heap ${memory.growthAfterBound >= 0 ? "+" : ""}${formatBytes(memory.growthAfterBound)} after the bound`;
  if (memory.withinBound === undefined || memory.tokens < MEMORY_TARGET_TOKENS) {
    return {
      description,
      measured,
      value,
      required,
      verdict: "not measured",
      margin: `only ${formatCount(memory.tokens)} tokens sent (BENCH_MEMORY_TOKENS)`,
    };
  }
  return {
    description,
    measured,
    value,
    required,
    verdict: memory.withinBound ? "pass" : "miss",
    margin: memory.withinBound
      ? "heap flat once the cache was full"
      : "heap kept growing after the cache was full",
  };
}

function signed(value: number): string {
  return `${value >= 0 ? "+" : ""}${formatNumber(value)}`;
}
