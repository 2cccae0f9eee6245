import { median } from "./load-rounds.ts";
import { isSaturated, type LoadOptions, measureSample, type Sample } from "./measure-sample.ts";
import { type BenchRoute, ROUTES, routeName } from "./routes.ts";
import { type SubjectId, subjectSpec } from "./subject-catalog.ts";
import type { SubjectProcess } from "./subject-process.ts";

/** A route of a subject, as a target names it. */
export type RouteRef = { readonly subject: SubjectId; readonly route: BenchRoute };

/** A's requests/s must be at least `atLeast` times B's, measured side by side. */
export type Target = { readonly a: RouteRef; readonly b: RouteRef; readonly atLeast: number };

const api = (route: BenchRoute): RouteRef => ({ subject: "api", route });
const tunedFastify: RouteRef = { subject: "fastify-tuned", route: ROUTES.restProtected };

/** The performance floor (issues 21 and 22). Adding a target is adding a line here. */
export const TARGETS: readonly Target[] = [
  { a: api(ROUTES.trpcProtected), b: tunedFastify, atLeast: 1.2 },
  { a: api(ROUTES.restProtected), b: tunedFastify, atLeast: 1.2 },
  { a: api(ROUTES.trpcProtected), b: api(ROUTES.trpcPublic), atLeast: 0.8 },
  // A proof checked per request, against Auth0's middleware doing the same.
  { a: api(ROUTES.restDpop), b: { subject: "express-peer", route: ROUTES.restDpop }, atLeast: 2 },
];

/** "not judged": a side that was not saturated could change the verdict. */
export type Verdict = "pass" | "miss" | "not judged";

export type TargetResult = ReturnType<typeof summarizeTarget>;

/** "this api /trpc/protected ≥ 1.2 × Fastify + jwt, tuned /protected" */
export function describeTarget(target: Target): string {
  const name = (end: RouteRef) => `${subjectSpec(end.subject).short} ${routeName(end.route)}`;
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
export function summarizeTarget(target: Target, blocks: readonly AbbaBlock[]) {
  if (blocks.length === 0) throw new RangeError(`no blocks for ${describeTarget(target)}`);
  const ratios = blocks.map(blockRatio);
  const ratio = median(ratios);
  const cpuOf = (side: "a" | "b") =>
    median(blocks.flatMap((k) => k[side].map((s) => s.cpuPercent)));
  const aCpuPercent = cpuOf("a");
  const bCpuPercent = cpuOf("b");
  const verdict = judge(ratio, target.atLeast, isSaturated(aCpuPercent), isSaturated(bCpuPercent));
  // `ratios` in the order measured; the verdict rests on their median, `ratio`.
  return { target, blocks, ratios, ratio, aCpuPercent, bCpuPercent, verdict } as const;
}

/** Discarded load before each slice: fresh connections, and a subject that idled a moment. */
export const SLICE_WARMUP_S = 0.5;

export type Side = "a" | "b";

/** One side of a comparison: a running subject's route. */
export type RunningEnd = { readonly subject: SubjectProcess; readonly route: BenchRoute };

/** Two slices of each side, taken A B B A or B A A B. */
export type AbbaBlock = { readonly a: readonly Sample[]; readonly b: readonly Sample[] };

export interface AbbaOptions extends Omit<LoadOptions, "durationS" | "warmupS"> {
  readonly blocks: number;
  /** Seconds per measured slice. */
  readonly sliceS: number;
  readonly onBlock?: (index: number, block: AbbaBlock) => void;
}

/**
 * The order of block `index`'s four slices: A B B A, then B A A B, and so on. Within a block both
 * sides share the same few seconds of the machine, a steady drift of its speed weighs on both
 * alike, and neither side always goes first.
 */
export function abbaOrder(index: number): readonly [Side, Side, Side, Side] {
  return index % 2 === 0 ? ["a", "b", "b", "a"] : ["b", "a", "a", "b"];
}

/** A's requests/s over B's in one block, each side's slices summed. */
export function blockRatio(block: AbbaBlock): number {
  const sum = (samples: readonly Sample[]) => samples.reduce((total, s) => total + s.rps, 0);
  return sum(block.a) / sum(block.b);
}

/** `blocks` ABBA blocks of `a` against `b`, both already running and warm. */
export async function runAbbaBlocks(
  a: RunningEnd,
  b: RunningEnd,
  options: AbbaOptions,
): Promise<AbbaBlock[]> {
  const ends = { a, b };
  const load = { ...options, durationS: options.sliceS, warmupS: SLICE_WARMUP_S };
  const blocks: AbbaBlock[] = [];
  for (let index = 0; index < options.blocks; index++) {
    const taken: Record<Side, Sample[]> = { a: [], b: [] };
    for (const side of abbaOrder(index)) {
      taken[side].push(await measureSample(ends[side].subject, ends[side].route, load));
    }
    options.onBlock?.(index, taken);
    blocks.push(taken);
  }
  return blocks;
}
