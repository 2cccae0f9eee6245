import type { BenchConfig } from "./bench-config.ts";
import type { PinningPlan } from "./cpu-pinning.ts";
import type { RouteResult } from "./load-rounds.ts";
import type { MachineInfo } from "./machine-info.ts";
import type { TargetResult } from "./targets.ts";

/** Everything one `pnpm bench` run measured; the console, the page and the chart render this. */
export interface BenchReport {
  readonly machine: MachineInfo;
  readonly config: BenchConfig;
  readonly pinning: PinningPlan;
  /** Every route of every subject, medians of the rounds, in the catalog's order. */
  readonly results: readonly RouteResult[];
  readonly targets: readonly TargetResult[];
  /** Wall-clock seconds of the whole run. */
  readonly seconds: number;
}
