import { SATURATED_CPU_PERCENT } from "./load-rounds.ts";
import { measureSample, type SubjectSample } from "./measure-sample.ts";
import { median } from "./median.ts";
import type { BenchRoute, SubjectId } from "./subject-catalog.ts";
import type { SubjectProcess } from "./subject-process.ts";

/** One side of a comparison: a subject's route. */
export interface PairEnd {
  readonly subject: SubjectId;
  readonly route: BenchRoute;
}

/** `a` measured against `b`: a ratio a / b of requests/s, a difference a − b of CPU per request. */
export interface PairSpec {
  readonly a: PairEnd;
  readonly b: PairEnd;
  /** This pair gets this many times the blocks of the others (default 1); see targetPairs. */
  readonly blocksScale?: number;
}

/** Two slices of each side, measured A B B A (or B A A B): a linear drift weighs on both alike. */
export interface AbbaBlock {
  readonly a: readonly [SubjectSample, SubjectSample];
  readonly b: readonly [SubjectSample, SubjectSample];
}

export interface PairedResult extends PairSpec {
  readonly blocks: readonly AbbaBlock[];
  /** Median over the blocks of a's requests/s over b's (the two slices of each side summed). */
  readonly ratio: number;
  /** Median over the blocks of a's mean CPU µs per request minus b's. */
  readonly cpuDiffUs: number;
  /**
   * The same difference with every block brought to the speed of the pair's fastest block
   * (blockCpuDiffsAtFullSpeed): what the difference costs on this machine at full speed.
   */
  readonly cpuDiffAtFullSpeedUs: number;
  /** b's CPU µs per request in the pair's fastest block: the speed the line above is scaled to. */
  readonly fullSpeedBCpuUs: number;
  /** Median over the blocks of b's mean CPU µs per request over a's: the ratio by CPU. */
  readonly cpuRatio: number;
  /** Means over every slice of each side, for the table. */
  readonly aRps: number;
  readonly bRps: number;
  readonly aCpuUs: number;
  readonly bCpuUs: number;
  /** Median CPU use of each side over its slices, % of one core. */
  readonly aCpuPercent: number;
  readonly bCpuPercent: number;
}

/** Discarded load before each slice: new connections, and a subject that idled a moment. */
export const PAIRED_SLICE_WARMUP_S = 0.5;

export interface PairedSlicesOptions {
  readonly connections: number;
  /** Seconds per measured slice. */
  readonly sliceS: number;
  /** Discarded load before each slice. */
  readonly warmupS: number;
  /** ABBA blocks per pair (times its blocksScale). */
  readonly blocks: number;
  readonly token: string;
  readonly onBlock?: (spec: PairSpec, index: number, block: AbbaBlock, of: number) => void;
}

/** How many ABBA blocks a pair gets when the others get `blocks`. */
export function blocksOf(spec: PairSpec, blocks: number): number {
  return blocks * (spec.blocksScale ?? 1);
}

export function pairKey(spec: PairSpec): string {
  return `${spec.a.subject} ${spec.a.route.path} / ${spec.b.subject} ${spec.b.route.path}`;
}

/**
 * Each pair in blocks of four short slices, A B B A, then B A A B, and so on. This machine's CPU
 * speed can change by 2× between minutes, so two routes measured a minute apart differ by more
 * than the servers do; within a block both sides share the same few seconds, and the order
 * cancels a steady drift. Subjects are already running and warm (after the interleaved rounds).
 */
export async function runPairedSlices(
  specs: readonly PairSpec[],
  subjects: readonly SubjectProcess[],
  options: PairedSlicesOptions,
): Promise<PairedResult[]> {
  const headers = { authorization: `Bearer ${options.token}` };
  const find = (end: PairEnd) => {
    const subject = subjects.find((s) => s.spec.id === end.subject);
    if (subject === undefined) throw new Error(`paired slices: subject ${end.subject} not running`);
    return subject;
  };
  const results: PairedResult[] = [];
  for (const spec of specs) {
    const sides = { a: find(spec.a), b: find(spec.b) };
    const slice = (side: "a" | "b") =>
      measureSample(sides[side], spec[side].route, {
        connections: options.connections,
        durationS: options.sliceS,
        warmupS: options.warmupS,
        headers,
      });
    const blocks: AbbaBlock[] = [];
    const count = blocksOf(spec, options.blocks);
    for (let index = 0; index < count; index++) {
      const [first, second] = index % 2 === 0 ? (["a", "b"] as const) : (["b", "a"] as const);
      const taken = { a: [] as SubjectSample[], b: [] as SubjectSample[] };
      for (const side of [first, second, second, first]) taken[side].push(await slice(side));
      const block = { a: pair(taken.a), b: pair(taken.b) };
      options.onBlock?.(spec, index, block, count);
      blocks.push(block);
    }
    results.push(summarizePair(spec, blocks));
  }
  return results;
}

/** The medians of a pair's blocks; see PairedResult. */
export function summarizePair(spec: PairSpec, blocks: readonly AbbaBlock[]): PairedResult {
  if (blocks.length === 0) throw new RangeError(`no blocks for ${pairKey(spec)}`);
  const sum = (samples: readonly SubjectSample[], pick: (s: SubjectSample) => number) =>
    samples.reduce((total, s) => total + pick(s), 0);
  const meanOf = (samples: readonly SubjectSample[], pick: (s: SubjectSample) => number) =>
    sum(samples, pick) / samples.length;
  const atFullSpeed = blockCpuDiffsAtFullSpeed(blocks);
  const all = {
    a: blocks.flatMap((block) => block.a),
    b: blocks.flatMap((block) => block.b),
  };
  return {
    ...spec,
    blocks,
    ratio: median(blocks.map((k) => sum(k.a, (s) => s.rps) / sum(k.b, (s) => s.rps))),
    cpuDiffUs: median(blockCpuDiffs(blocks)),
    cpuDiffAtFullSpeedUs: median(atFullSpeed.diffs),
    fullSpeedBCpuUs: atFullSpeed.referenceUs,
    cpuRatio: median(blocks.map((k) => meanOf(k.b, (s) => s.cpuUs) / meanOf(k.a, (s) => s.cpuUs))),
    aRps: meanOf(all.a, (s) => s.rps),
    bRps: meanOf(all.b, (s) => s.rps),
    aCpuUs: meanOf(all.a, (s) => s.cpuUs),
    bCpuUs: meanOf(all.b, (s) => s.cpuUs),
    aCpuPercent: median(all.a.map((s) => s.cpuPercent)),
    bCpuPercent: median(all.b.map((s) => s.cpuPercent)),
  };
}

/** Each block's CPU µs per request of a (mean of its two slices) minus b's. */
export function blockCpuDiffs(blocks: readonly AbbaBlock[]): number[] {
  return blocks.map((k) => meanCpuUs(k.a) - meanCpuUs(k.b));
}

/**
 * Each block's CPU difference at the speed of the pair's fastest block: (a / b − 1) × the lowest
 * b of any block. This virtual machine runs the same code at up to half speed for minutes (the
 * kernel reports no steal time), and a slow minute stretches every µs of CPU per request, a
 * difference as much as the rest: the same code measured 1 µs apart at full speed is 2 µs apart at
 * half speed. Within a block both sides share the speed, so a / b is the code's; scaled to one
 * speed, the blocks measure one thing. The fastest block is the speed of the code with the least
 * of the machine's slowness in it; a run that never ran fast is judged at its own (slower) speed.
 */
export function blockCpuDiffsAtFullSpeed(blocks: readonly AbbaBlock[]): {
  diffs: number[];
  referenceUs: number;
} {
  const referenceUs = Math.min(...blocks.map((k) => meanCpuUs(k.b)));
  return {
    diffs: blocks.map((k) => (meanCpuUs(k.a) / meanCpuUs(k.b) - 1) * referenceUs),
    referenceUs,
  };
}

function meanCpuUs(samples: readonly SubjectSample[]): number {
  return samples.reduce((total, s) => total + s.cpuUs, 0) / samples.length;
}

/** Whether each side of a pair used at least SATURATED_CPU_PERCENT of a core (median of its slices). */
export function pairSaturation(result: PairedResult): { a: boolean; b: boolean } {
  return {
    a: result.aCpuPercent >= SATURATED_CPU_PERCENT,
    b: result.bCpuPercent >= SATURATED_CPU_PERCENT,
  };
}

function pair(samples: readonly SubjectSample[]): readonly [SubjectSample, SubjectSample] {
  const [first, second] = samples;
  if (first === undefined || second === undefined || samples.length !== 2) {
    throw new Error("an ABBA block has two slices per side");
  }
  return [first, second];
}
