import { type LoadOptions, measureSample, type Sample } from "./measure-sample.ts";
import type { BenchRoute } from "./routes.ts";
import type { SubjectProcess } from "./subject-process.ts";

/** Discarded load before each slice: fresh connections, and a subject that idled a moment. */
export const SLICE_WARMUP_S = 0.5;

export type Side = "a" | "b";

/** One side of a comparison: a running subject's route. */
export interface RunningEnd {
  readonly subject: SubjectProcess;
  readonly route: BenchRoute;
}

/** Two slices of each side, taken A B B A or B A A B. */
export interface AbbaBlock {
  readonly a: readonly Sample[];
  readonly b: readonly Sample[];
}

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
