import { findResult, type RouteResult } from "./load-rounds.ts";
import { median } from "./median.ts";

export interface TargetResult {
  readonly description: string;
  readonly numerator: { readonly label: string; readonly rps: number };
  readonly denominator: { readonly label: string; readonly rps: number };
  /** Ratio of the medians over the rounds: what decides PASS or MISS (issue #5). */
  readonly ratio: number;
  /** Median over the rounds of the ratio within each round (pairs measured close in time). */
  readonly pairedRatio: number;
  /** Inverse ratio of server CPU time per request: the throughput ratio on a core each. */
  readonly cpuRatio: number;
  readonly required: number;
  readonly pass: boolean;
  /** "by how much": the margin when met, the shortfall when missed. */
  readonly margin: string;
}

/** The throughput targets of issue #5, from the medians of one run. */
export function evaluateTargets(results: readonly RouteResult[]): TargetResult[] {
  const api = (path: RouteResult["route"]["path"]) => findResult(results, "api", path);
  const trpcProtected = api("/trpc/protected");
  const restProtected = api("/protected");
  const fastest = trpcProtected.rps >= restProtected.rps ? trpcProtected : restProtected;
  const ceiling = findResult(results, "bare-http", fastest.route.path);
  return [
    target(
      "/trpc/protected ≥ 0.95 × /trpc/public on the same server",
      trpcProtected,
      api("/trpc/public"),
      0.95,
    ),
    target(
      "/trpc/protected ≥ 1.5 × the naive tRPC setup's protected route",
      trpcProtected,
      findResult(results, "naive-trpc", "/trpc/protected"),
      1.5,
    ),
    target(
      "REST /protected ≥ 2 × the Express peer's /protected",
      restProtected,
      findResult(results, "express-peer", "/protected"),
      2,
    ),
    target(
      "fastest protected route of this api ≥ 0.5 × the bare node:http ceiling (same route)",
      fastest,
      ceiling,
      0.5,
    ),
  ];
}

function target(
  description: string,
  numerator: RouteResult,
  denominator: RouteResult,
  required: number,
): TargetResult {
  const ratio = numerator.rps / denominator.rps;
  const pairedRatio = median(
    numerator.samples.map((sample, round) => sample.rps / (denominator.samples[round]?.rps ?? NaN)),
  );
  const cpuRatio = denominator.cpuUs / numerator.cpuUs;
  const pass = ratio >= required;
  const needed = required * denominator.rps;
  const percent = Math.abs(ratio / required - 1) * 100;
  const margin = pass
    ? `met with ${percent.toFixed(1)}% to spare`
    : `missed by ${(required - ratio).toFixed(2)} (${percent.toFixed(1)}% short; needs ${Math.round(needed - numerator.rps).toLocaleString("en-US")} more req/s)`;
  return {
    description,
    numerator: { label: `${numerator.label} ${numerator.route.path}`, rps: numerator.rps },
    denominator: { label: `${denominator.label} ${denominator.route.path}`, rps: denominator.rps },
    ratio,
    pairedRatio,
    cpuRatio,
    required,
    pass,
    margin,
  };
}
