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
  /** Seconds per verifier micro-benchmark measurement. BENCH_VERIFIER_DURATION_S, default 3 (quick: 0.5). */
  readonly verifierDurationS: number;
  /** Distinct valid tokens sent to the api in the memory run. BENCH_MEMORY_TOKENS, default 100000 (quick: 20000). */
  readonly memoryTokens: number;
  /** Seconds of profiled load on /trpc/protected; 0 skips. BENCH_PROFILE_S, default 5 (quick: 1). */
  readonly profileS: number;
  /** Where docs/benchmarks.md and its chart go. BENCH_DOCS_DIR, default <repo>/docs. */
  readonly docsDir: string;
  readonly quick: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Read the configuration; BENCH_QUICK=1 shrinks every default to a smoke test. */
export function benchConfigFromEnv(env: Env, defaultDocsDir: string): BenchConfig {
  const quick = env.BENCH_QUICK === "1" || env.BENCH_QUICK === "true";
  return {
    quick,
    connections: positive(env, "BENCH_CONNECTIONS", 50, { integer: true, max: 1000 }),
    durationS: positive(env, "BENCH_DURATION_S", quick ? 1 : 5, { max: 600 }),
    warmupS: positive(env, "BENCH_WARMUP_S", quick ? 0.5 : 1, { max: 60, allowZero: true }),
    rounds: positive(env, "BENCH_ROUNDS", quick ? 1 : 3, { integer: true, max: 20 }),
    verifierDurationS: positive(env, "BENCH_VERIFIER_DURATION_S", quick ? 0.5 : 3, { max: 60 }),
    memoryTokens: positive(env, "BENCH_MEMORY_TOKENS", quick ? 20_000 : 100_000, {
      integer: true,
      max: 1_000_000,
    }),
    profileS: positive(env, "BENCH_PROFILE_S", quick ? 1 : 5, { max: 120, allowZero: true }),
    docsDir: env.BENCH_DOCS_DIR ?? defaultDocsDir,
  };
}

function positive(
  env: Env,
  name: string,
  fallback: number,
  rules: { integer?: boolean; max: number; allowZero?: boolean },
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  const okInteger = rules.integer !== true || Number.isInteger(value);
  const okRange = rules.allowZero === true ? value >= 0 : value > 0;
  if (!Number.isFinite(value) || !okInteger || !okRange || value > rules.max) {
    throw new RangeError(
      `${name} must be a ${rules.integer === true ? "whole " : ""}number ${rules.allowZero === true ? "from 0" : "above 0"} up to ${rules.max}, got "${raw}"`,
    );
  }
  return value;
}
