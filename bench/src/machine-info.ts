import { execFileSync } from "node:child_process";
import { cpus, platform, release, totalmem } from "node:os";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryGiB: number;
  readonly os: string;
  /** The version and binary every subject runs on (BENCH_SUBJECT_NODE, else the runner's). */
  readonly node: string;
  readonly nodePath: string;
  /** The runner's (load generator, issuer): process.version and process.execPath. */
  readonly runnerNode: string;
  readonly runnerNodePath: string;
  readonly date: string;
}

export function machineInfo(subjectNode: string, now = new Date()): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cpuCount: list.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    node:
      subjectNode === process.execPath
        ? process.version
        : execFileSync(subjectNode, ["--version"], { encoding: "utf8", timeout: 10_000 }).trim(),
    nodePath: subjectNode,
    runnerNode: process.version,
    runnerNodePath: process.execPath,
    date: now.toISOString(),
  };
}
