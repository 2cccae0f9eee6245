import { type AbbaBlock, blockRatio } from "./abba-blocks.ts";
import { isSaturated } from "./measure-sample.ts";
import { median } from "./median.ts";
import { type BenchRoute, ROUTES } from "./routes.ts";
import { type SubjectId, subjectSpec } from "./subject-catalog.ts";

/** A route of a subject, as a target names it. */
export interface RouteRef {
  readonly subject: SubjectId;
  readonly route: BenchRoute;
}

/** A's requests/s must be at least `atLeast` times B's, measured side by side. */
export interface Target {
  readonly a: RouteRef;
  readonly b: RouteRef;
  readonly atLeast: number;
}

const tunedFastify: RouteRef = { subject: "fastify-tuned", route: ROUTES.restProtected };

/** The performance floor (issue 21). Adding a target is adding a line here. */
export const TARGETS: readonly Target[] = [
  { a: { subject: "api", route: ROUTES.trpcProtected }, b: tunedFastify, atLeast: 1.2 },
  { a: { subject: "api", route: ROUTES.restProtected }, b: tunedFastify, atLeast: 1.2 },
  {
    a: { subject: "api", route: ROUTES.trpcProtected },
    b: { subject: "api", route: ROUTES.trpcPublic },
    atLeast: 0.8,
  },
];

/** "not judged": a side that was not saturated could change the verdict. */
export type Verdict = "pass" | "miss" | "not judged";

export interface TargetResult {
  readonly target: Target;
  readonly blocks: readonly AbbaBlock[];
  /** Each block's ratio, in the order measured. */
  readonly ratios: readonly number[];
  /** The median of the blocks' ratios: what the verdict rests on. */
  readonly ratio: number;
  /** Each side's median CPU use over its slices, % of one core. */
  readonly aCpuPercent: number;
  readonly bCpuPercent: number;
  readonly verdict: Verdict;
}

/** "this api /trpc/protected ≥ 1.2 × Fastify + jwt, tuned /protected" */
export function describeTarget(target: Target): string {
  const name = (end: RouteRef) => `${subjectSpec(end.subject).short} ${end.route.path}`;
  return `${name(target.a)} ≥ ${target.atLeast} × ${name(target.b)}`;
}

/**
 * A verdict on a ratio. A side under SATURATED_CPU_PERCENT answered less than it could, so its
 * requests/s are a lower bound: a pass stands while B was saturated (A could only do better), a
 * miss while A was (B could only do better); otherwise the verdict is withheld.
 */
export function judge(
  ratio: number,
  atLeast: number,
  aSaturated: boolean,
  bSaturated: boolean,
): Verdict {
  const pass = ratio >= atLeast;
  if (pass && bSaturated) return "pass";
  if (!pass && aSaturated) return "miss";
  return "not judged";
}

/** The median of the blocks' ratios, each side's median CPU use, and the verdict on them. */
export function summarizeTarget(target: Target, blocks: readonly AbbaBlock[]): TargetResult {
  if (blocks.length === 0) throw new RangeError(`no blocks for ${describeTarget(target)}`);
  const ratios = blocks.map(blockRatio);
  const ratio = median(ratios);
  const cpuOf = (side: "a" | "b") =>
    median(blocks.flatMap((k) => k[side].map((s) => s.cpuPercent)));
  const aCpuPercent = cpuOf("a");
  const bCpuPercent = cpuOf("b");
  const verdict = judge(ratio, target.atLeast, isSaturated(aCpuPercent), isSaturated(bCpuPercent));
  return { target, blocks, ratios, ratio, aCpuPercent, bCpuPercent, verdict };
}
