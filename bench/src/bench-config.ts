import { boolVar, intVar, listVar, numberVar, parseEnv } from "@repo/env";
import { TARGETS } from "./targets.ts";

/** How long and how hard the benchmark runs; every knob is in bench/README.md. */
export type BenchConfig = ReturnType<typeof benchConfigFromEnv>;

/** Defaults of a full run and of a quick one. */
export const BENCH_DEFAULTS = {
  full: { durationS: 5, warmupS: 1, rounds: 3, blocks: 6, sliceS: 2 },
  quick: { durationS: 1, warmupS: 0.5, rounds: 1, blocks: 1, sliceS: 0.5 },
} as const;

const benchEnvShape = {
  BENCH_QUICK: boolVar("true or false: a short smoke run").default(false),
  BENCH_CONNECTIONS: intVar("concurrent connections", { min: 1, max: 1000 }).default(50),
  BENCH_DURATION_S: numberVar("seconds per measurement", { min: 0.1, max: 600 }).optional(),
  BENCH_WARMUP_S: numberVar("seconds of warm-up", { min: 0, max: 60 }).optional(),
  BENCH_ROUNDS: intVar("rounds", { min: 1, max: 20 }).optional(),
  BENCH_BLOCKS: intVar("ABBA blocks per target", { min: 1, max: 50 }).optional(),
  BENCH_SLICE_S: numberVar("seconds per slice", { min: 0.1, max: 60 }).optional(),
  BENCH_PIN: boolVar("true or false: subjects and load generator on CPUs of their own").default(
    true,
  ),
  BENCH_TARGETS: listVar(`target numbers from 1 to ${TARGETS.length}, comma-separated`)
    .refine((list) => list.every((n) => /^\d+$/.test(n) && +n >= 1 && +n <= TARGETS.length))
    .optional(),
};

/**
 * Read the configuration.
 * @throws ConfigurationError naming the first malformed variable and its bounds.
 */
export function benchConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  reportDir: string,
) {
  const vars = parseEnv(benchEnvShape, env);
  const defaults = vars.BENCH_QUICK ? BENCH_DEFAULTS.quick : BENCH_DEFAULTS.full;
  return {
    quick: vars.BENCH_QUICK,
    connections: vars.BENCH_CONNECTIONS,
    durationS: vars.BENCH_DURATION_S ?? defaults.durationS,
    warmupS: vars.BENCH_WARMUP_S ?? defaults.warmupS,
    rounds: vars.BENCH_ROUNDS ?? defaults.rounds,
    blocks: vars.BENCH_BLOCKS ?? defaults.blocks,
    sliceS: vars.BENCH_SLICE_S ?? defaults.sliceS,
    pin: vars.BENCH_PIN,
    /** Only these targets (1 is the first) and the subjects they compare; undefined: all. */
    targets: vars.BENCH_TARGETS?.map(Number),
    /** Where benchmarks.md and its chart go (reports/, or docs/ with --update-docs). */
    reportDir,
  } as const;
}
