import { BrokenSubjectError, checkSubject } from "./check-subject.ts";
import type { CpuPinning } from "./cpu-pinning.ts";
import { sendTokens } from "./send-tokens.ts";
import { subjectSpec } from "./subject-catalog.ts";
import { startSubject } from "./subject-process.ts";

export interface MemoryCheckpoint {
  /** Distinct valid tokens verified so far (the benchmark token aside). */
  readonly tokens: number;
  readonly rss: number;
  readonly heapUsed: number;
}

export interface MemoryResult {
  readonly tokens: number;
  readonly cacheBound: number;
  readonly concurrency: number;
  readonly seconds: number;
  /** Before the flood, then after each step; the first step ends at the cache bound. */
  readonly checkpoints: readonly MemoryCheckpoint[];
  /** Heap growth per cached entry, estimated from the growth until the cache was full. */
  readonly bytesPerEntry: number | undefined;
  /** What the heap would have grown by had every token stayed cached. */
  readonly unboundedGrowth: number | undefined;
  /** Heap growth from the moment the cache was full to the end. */
  readonly growthAfterBound: number | undefined;
  /** undefined when fewer tokens than the bound were sent (nothing to prove). */
  readonly withinBound: boolean | undefined;
  /** Whether each reading followed a full GC. */
  readonly gc: boolean;
}

export interface MemoryBenchOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly token: string;
  readonly sub: string;
  readonly tokens: readonly string[];
  readonly cacheBound: number;
  readonly concurrency?: number;
  /** The subject's CPU (see cpu-pinning.ts). */
  readonly pinning?: CpuPinning | undefined;
  /** The subject's node binary (see StartSubjectOptions.node). */
  readonly node?: string | undefined;
  /** Whole run bound, milliseconds. Default 10 minutes. */
  readonly timeoutMs?: number;
  readonly onProgress?: (checkpoint: MemoryCheckpoint) => void;
}

/** Heap growth past the full cache still counted as flat: GC timing and V8's own bookkeeping. */
const FLAT_SLACK_BYTES = 4 * 1024 * 1024;

/**
 * A fresh api process (with --expose-gc) verifies every token once on /protected; its memory is
 * read over IPC after a full GC before the flood, when the cache has just filled, and at a few
 * points after. Bounded memory means a flat line after the cache bound.
 */
export async function runMemoryBench(options: MemoryBenchOptions): Promise<MemoryResult> {
  const concurrency = options.concurrency ?? 16;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const api = await startSubject(subjectSpec("api"), {
    env: options.env,
    nodeFlags: ["--expose-gc"],
    pinning: options.pinning,
    node: options.node,
  });
  try {
    await checkSubject(api, options.token, options.sub);
    const total = options.tokens.length;
    const steps = [options.cacheBound, total / 4, total / 2, total]
      .map(Math.round)
      .filter((n, i, all) => n > 0 && n <= total && all.indexOf(n) === i)
      .sort((a, b) => a - b);
    const read = async (tokens: number): Promise<MemoryCheckpoint> => {
      const usage = await api.memory();
      return { tokens, rss: usage.rss, heapUsed: usage.heapUsed };
    };
    const gc = (await api.memory()).gc;
    const checkpoints = [await read(0)];
    const started = performance.now();
    let sent = 0;
    for (const step of steps) {
      const result = await sendTokens(`${api.url}/protected`, options.tokens.slice(sent, step), {
        concurrency,
        deadline,
      });
      if (Object.keys(result.refused).length > 0) {
        throw new BrokenSubjectError(
          `the api refused valid tokens in the memory run: ${JSON.stringify(result.refused)}`,
        );
      }
      sent = step;
      const checkpoint = await read(sent);
      checkpoints.push(checkpoint);
      options.onProgress?.(checkpoint);
    }
    const seconds = (performance.now() - started) / 1000;
    return { ...analyse(checkpoints, options.cacheBound, total), concurrency, seconds, gc };
  } finally {
    await api.stop();
  }
}

function analyse(
  checkpoints: readonly MemoryCheckpoint[],
  cacheBound: number,
  tokens: number,
): Omit<MemoryResult, "concurrency" | "seconds" | "gc"> {
  const before = checkpoints[0] as MemoryCheckpoint;
  const last = checkpoints[checkpoints.length - 1] as MemoryCheckpoint;
  const atBound = checkpoints.find((c) => c.tokens === cacheBound);
  if (atBound === undefined || tokens <= cacheBound) {
    return {
      tokens,
      cacheBound,
      checkpoints,
      bytesPerEntry: undefined,
      unboundedGrowth: undefined,
      growthAfterBound: undefined,
      withinBound: undefined,
    };
  }
  const growthToBound = atBound.heapUsed - before.heapUsed;
  const bytesPerEntry = growthToBound / cacheBound;
  const growthAfterBound = last.heapUsed - atBound.heapUsed;
  return {
    tokens,
    cacheBound,
    checkpoints,
    bytesPerEntry,
    unboundedGrowth: bytesPerEntry * tokens,
    growthAfterBound,
    withinBound: growthAfterBound <= Math.max(0.25 * growthToBound, FLAT_SLACK_BYTES),
  };
}
