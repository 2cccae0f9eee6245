import { cpus, loadavg, platform, release, totalmem } from "node:os";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryGiB: number;
  readonly os: string;
  /** The Node.js line every subject and the load generator run on (process.version). */
  readonly node: string;
  readonly date: string;
  /** The 1-minute load average when the run started: anything else running skews the numbers. */
  readonly loadAverage: number;
}

export function machineInfo(now = new Date()): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cpuCount: list.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    node: process.version,
    date: now.toISOString(),
    loadAverage: loadavg()[0] ?? 0,
  };
}
