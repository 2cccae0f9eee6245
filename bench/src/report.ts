import { cpus, loadavg, platform, release, totalmem } from "node:os";
import type { BenchConfig } from "./bench-config.ts";
import type { PinningPlan } from "./cpu.ts";
import type { RouteResult } from "./load-rounds.ts";
import { isSaturated } from "./measure-sample.ts";
import type { TargetResult } from "./targets.ts";

/** Everything one `pnpm bench` run measured; the console, the page and the chart render this. */
export interface BenchReport {
  readonly machine: ReturnType<typeof machineInfo>;
  readonly config: BenchConfig;
  readonly pinning: PinningPlan;
  /** Every route of every subject, medians of the rounds, in the catalog's order. */
  readonly results: readonly RouteResult[];
  readonly targets: readonly TargetResult[];
  /** Wall-clock seconds of the whole run. */
  readonly seconds: number;
}

/** What the run ran on, and when. */
export function machineInfo(now = new Date()) {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cpuCount: list.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    // The Node.js line every subject and the load generator run on.
    node: process.version,
    date: now.toISOString(),
    // The 1-minute load average when the run started: anything else running skews the numbers.
    loadAverage: loadavg()[0] ?? 0,
  } as const;
}

/** 12,345 */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Two decimals below 10, one below 100, none above: latencies, CPU µs and ratios. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A subject's CPU use, % of one core, marked when it was not saturated. */
export function formatCpuUse(percent: number): string {
  return `${Math.round(percent)}%${isSaturated(percent) ? "" : " (not saturated)"}`;
}
