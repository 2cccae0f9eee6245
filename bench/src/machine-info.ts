import { cpus, platform, release, totalmem } from "node:os";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryGiB: number;
  readonly os: string;
  /** process.version of the runner; every subject runs on the same binary (process.execPath). */
  readonly node: string;
  readonly nodePath: string;
  readonly date: string;
}

export function machineInfo(now = new Date()): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cpuCount: list.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    node: process.version,
    nodePath: process.execPath,
    date: now.toISOString(),
  };
}
