import { accessSync, constants, statSync } from "node:fs";
import { boolVar, intVar, listVar, numberVar, parseEnv } from "@repo/env";
import { z } from "zod";

/** How long and how hard the benchmark runs; every knob comes from the environment. */
export interface BenchConfig {
  /** Concurrent connections per load measurement. BENCH_CONNECTIONS, default 50. */
  readonly connections: number;
  /** Seconds per load measurement. BENCH_DURATION_S, default 5 (quick: 1). */
  readonly durationS: number;
  /** Seconds of discarded load before each measurement. BENCH_WARMUP_S, default 1 (quick: 0.5). */
  readonly warmupS: number;
  /** Interleaved rounds; results are medians over them. BENCH_ROUNDS, default 3 (quick: 1). */
  readonly rounds: number;
  /**
   * ABBA blocks per compared pair of routes, on which the targets are judged; 0 skips them (the
   * targets then use the rounds' medians). The pair of authentication's CPU budget gets
   * AUTH_CPU_BLOCKS_SCALE times as many. BENCH_PAIRED_BLOCKS, default 6 (quick: 1).
   */
  readonly pairedBlocks: number;
  /** Seconds per measured slice of a block. BENCH_SLICE_S, default 2 (quick: 0.5). */
  readonly sliceS: number;
  /** Seconds per verifier micro-benchmark measurement. BENCH_VERIFIER_DURATION_S, default 3 (quick: 0.5). */
  readonly verifierDurationS: number;
  /** Distinct valid tokens sent to the api in the memory run. BENCH_MEMORY_TOKENS, default 100000 (quick: 20000). */
  readonly memoryTokens: number;
  /** Seconds of profiled load on /trpc/protected; 0 skips. BENCH_PROFILE_S, default 5 (quick: 1). */
  readonly profileS: number;
  /**
   * The node binary every subject runs on; the runner (autocannon, the issuer) stays on its own.
   * BENCH_SUBJECT_NODE, default: the runner's (process.execPath).
   */
  readonly subjectNode: string;
  /** Where docs/benchmarks.md and its chart go. BENCH_DOCS_DIR, default <repo>/docs. */
  readonly docsDir: string;
  readonly quick: boolean;
  /**
   * Each subject on a CPU of its own, the load generator on the others (Linux, taskset, two CPUs
   * or more). BENCH_PIN, default true.
   */
  readonly pin: boolean;
}

/** Bounds of every knob, written once; the environment variables reuse them. */
export const BENCH_BOUNDS = {
  connections: { min: 1, max: 1000 },
  durationS: { min: 0.1, max: 600 },
  warmupS: { min: 0, max: 60 },
  rounds: { min: 1, max: 20 },
  pairedBlocks: { min: 0, max: 50 },
  sliceS: { min: 0.1, max: 60 },
  verifierDurationS: { min: 0.1, max: 60 },
  memoryTokens: { min: 1, max: 1_000_000 },
  profileS: { min: 0, max: 120 },
  profileTop: { min: 1, max: 200 },
  procedureRounds: { min: 1, max: 50 },
  procedureMs: { min: 10, max: 60_000 },
} as const;

/** Defaults of a full run and of a quick one (BENCH_QUICK); connections are the same for both. */
export const BENCH_DEFAULTS = {
  full: {
    durationS: 5,
    warmupS: 1,
    rounds: 3,
    pairedBlocks: 6,
    sliceS: 2,
    verifierDurationS: 3,
    memoryTokens: 100_000,
    profileS: 5,
  },
  quick: {
    durationS: 1,
    warmupS: 0.5,
    rounds: 1,
    pairedBlocks: 1,
    sliceS: 0.5,
    verifierDurationS: 0.5,
    memoryTokens: 20_000,
    profileS: 1,
  },
  connections: 50,
} as const;

const benchEnvShape = {
  BENCH_QUICK: boolVar("true or false: shrink every default to a smoke run").default(false),
  BENCH_CONNECTIONS: intVar("concurrent connections", BENCH_BOUNDS.connections).default(
    BENCH_DEFAULTS.connections,
  ),
  BENCH_DURATION_S: numberVar("seconds per load measurement", BENCH_BOUNDS.durationS).optional(),
  BENCH_WARMUP_S: numberVar("seconds of warm-up per measurement", BENCH_BOUNDS.warmupS).optional(),
  BENCH_ROUNDS: intVar("rounds", BENCH_BOUNDS.rounds).optional(),
  BENCH_PAIRED_BLOCKS: intVar(
    "ABBA blocks per compared pair, 0 to skip",
    BENCH_BOUNDS.pairedBlocks,
  ).optional(),
  BENCH_SLICE_S: numberVar("seconds per paired slice", BENCH_BOUNDS.sliceS).optional(),
  BENCH_VERIFIER_DURATION_S: numberVar(
    "seconds per verifier measurement",
    BENCH_BOUNDS.verifierDurationS,
  ).optional(),
  BENCH_MEMORY_TOKENS: intVar("distinct tokens", BENCH_BOUNDS.memoryTokens).optional(),
  BENCH_PROFILE_S: numberVar(
    "seconds of profiled load, 0 to skip",
    BENCH_BOUNDS.profileS,
  ).optional(),
  BENCH_DOCS_DIR: z.string().describe("a folder for benchmarks.md and its chart").optional(),
  BENCH_SUBJECT_NODE: z
    .string()
    .refine(isExecutableFile)
    .describe("the path of an executable node binary for the subjects")
    .optional(),
  BENCH_PIN: boolVar(
    "true or false: run each subject on a CPU of its own and the load generator on the others",
  ).default(true),
};

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Read the configuration; BENCH_QUICK=true (or 1) shrinks every default to a smoke test.
 * @throws ConfigurationError naming the first malformed variable and its bounds.
 */
export function benchConfigFromEnv(env: Env, defaultDocsDir: string): BenchConfig {
  const vars = parseEnv(benchEnvShape, env);
  const defaults = vars.BENCH_QUICK ? BENCH_DEFAULTS.quick : BENCH_DEFAULTS.full;
  return {
    quick: vars.BENCH_QUICK,
    connections: vars.BENCH_CONNECTIONS,
    durationS: vars.BENCH_DURATION_S ?? defaults.durationS,
    warmupS: vars.BENCH_WARMUP_S ?? defaults.warmupS,
    rounds: vars.BENCH_ROUNDS ?? defaults.rounds,
    pairedBlocks: vars.BENCH_PAIRED_BLOCKS ?? defaults.pairedBlocks,
    sliceS: vars.BENCH_SLICE_S ?? defaults.sliceS,
    verifierDurationS: vars.BENCH_VERIFIER_DURATION_S ?? defaults.verifierDurationS,
    memoryTokens: vars.BENCH_MEMORY_TOKENS ?? defaults.memoryTokens,
    profileS: vars.BENCH_PROFILE_S ?? defaults.profileS,
    docsDir: vars.BENCH_DOCS_DIR ?? defaultDocsDir,
    subjectNode: vars.BENCH_SUBJECT_NODE ?? process.execPath,
    pin: vars.BENCH_PIN,
  };
}

/** What `pnpm --filter @repo/bench cpu-profile` runs. */
export interface ProfileConfig {
  /** BENCH_PROFILE_ROUTES, comma-separated; default /trpc/public,/trpc/protected. */
  readonly routes: readonly string[];
  /** Seconds of profiled load per route. BENCH_PROFILE_S, default 10. */
  readonly seconds: number;
  /** BENCH_CONNECTIONS, default 50. */
  readonly connections: number;
  /** Functions listed by self time. BENCH_PROFILE_TOP, default 15. */
  readonly top: number;
  /** The api on a CPU of its own, the load generator on the others. BENCH_PIN, default true. */
  readonly pin: boolean;
}

/**
 * The CPU profile run's configuration. `knownRoutes` are the routes it can load.
 * @throws ConfigurationError naming the first malformed variable.
 */
export function profileConfigFromEnv(env: Env, knownRoutes: readonly string[]): ProfileConfig {
  const known = `routes among ${knownRoutes.join(", ")}`;
  const vars = parseEnv(
    {
      BENCH_PROFILE_ROUTES: listVar(known)
        .refine((routes) => routes.every((route) => knownRoutes.includes(route)))
        .describe(known)
        .default(["/trpc/public", "/trpc/protected"]),
      BENCH_PROFILE_S: numberVar("seconds of profiled load per route", {
        ...BENCH_BOUNDS.profileS,
        min: 0.1,
      }).default(10),
      BENCH_CONNECTIONS: intVar("concurrent connections", BENCH_BOUNDS.connections).default(
        BENCH_DEFAULTS.connections,
      ),
      BENCH_PROFILE_TOP: intVar("functions to list", BENCH_BOUNDS.profileTop).default(15),
      BENCH_PIN: benchEnvShape.BENCH_PIN,
    },
    env,
  );
  return {
    routes: vars.BENCH_PROFILE_ROUTES,
    seconds: vars.BENCH_PROFILE_S,
    connections: vars.BENCH_CONNECTIONS,
    top: vars.BENCH_PROFILE_TOP,
    pin: vars.BENCH_PIN,
  };
}

/** What `pnpm --filter @repo/bench procedure-bench` runs. */
export interface ProcedureBenchConfig {
  /** Interleaved rounds; results are medians. BENCH_PROCEDURE_ROUNDS, default 5. */
  readonly rounds: number;
  /** Milliseconds per candidate and round. BENCH_PROCEDURE_MS, default 300. */
  readonly perCandidateMs: number;
}

/**
 * The procedure bench's configuration.
 * @throws ConfigurationError naming the first malformed variable.
 */
export function procedureBenchConfigFromEnv(env: Env): ProcedureBenchConfig {
  const vars = parseEnv(
    {
      BENCH_PROCEDURE_ROUNDS: intVar("rounds", BENCH_BOUNDS.procedureRounds).default(5),
      BENCH_PROCEDURE_MS: intVar("milliseconds", BENCH_BOUNDS.procedureMs).default(300),
    },
    env,
  );
  return { rounds: vars.BENCH_PROCEDURE_ROUNDS, perCandidateMs: vars.BENCH_PROCEDURE_MS };
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
