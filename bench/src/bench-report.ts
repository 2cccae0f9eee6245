import type { BenchConfig } from "./bench-config.ts";
import type { PinningPlan } from "./cpu-pinning.ts";
import type { RouteResult } from "./load-rounds.ts";
import type { MachineInfo } from "./machine-info.ts";
import type { MemoryResult } from "./memory-bench.ts";
import type { PairedResult } from "./paired-slices.ts";
import type { ProfileComparison, RouteProfile } from "./profile-api.ts";
import type { TargetResult } from "./targets.ts";
import type { VerifierCandidate } from "./verifier-bench.ts";

/** Everything one `pnpm bench` run measured; the console and the markdown render from this. */
export interface BenchReport {
  readonly machine: MachineInfo;
  readonly config: BenchConfig;
  /** Whether subjects and load generator had CPUs of their own, and which. */
  readonly pinning: PinningPlan;
  readonly load: readonly RouteResult[];
  /** The pairs the targets compare, in ABBA slices (empty when BENCH_PAIRED_BLOCKS=0). */
  readonly paired: readonly PairedResult[];
  readonly targets: readonly TargetResult[];
  readonly verifier: readonly VerifierCandidate[];
  readonly memory: MemoryResult;
  /** CPU profiles of the api's routes (empty when skipped). */
  readonly profiles: readonly RouteProfile[];
  /** /trpc/protected against /trpc/public, when both were profiled. */
  readonly profileComparison: ProfileComparison | undefined;
  /** 1-minute load average at the start and the end: anything else running skews the numbers. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  /** Wall-clock seconds of the whole run. */
  readonly seconds: number;
}
