/** The CPUs: which ones the subjects and the load generator run on, and a process's CPU time. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Subjects on one CPU, the load generator (this process) on the others: unpinned, a subject that
 * waited for a core looks slow; pinned, its CPU use says whether it was the bottleneck.
 */
export interface CpuPinning {
  /** taskset's list syntax. */
  readonly subjectCpus: string;
  readonly loadCpus: string;
}

export type PinningPlan =
  | { readonly pinned: true; readonly pinning: CpuPinning }
  | { readonly pinned: false; readonly reason: string };

/** How the report names a plan. */
export function pinningText(plan: PinningPlan): string {
  return plan.pinned
    ? `subjects on CPU ${plan.pinning.subjectCpus}, load generator on CPU ${plan.pinning.loadCpus} (taskset)`
    : `not pinned (${plan.reason})`;
}

/** "0-3,6" → [0, 1, 2, 3, 6]; undefined when the text is not such a list. */
export function parseCpuList(text: string): number[] | undefined {
  const cpus: number[] = [];
  for (const part of text.trim().split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (match === null) return undefined;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from || to - from > 4096) return undefined;
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The subjects get the last allowed CPU, the load generator all the others. */
export function planPinning(allowed: readonly number[] | undefined, wanted: boolean): PinningPlan {
  if (!wanted) return { pinned: false, reason: "BENCH_PIN=false" };
  if (allowed === undefined) return { pinned: false, reason: "the allowed CPUs are unknown" };
  if (allowed.length < 2) return { pinned: false, reason: "only one CPU is allowed" };
  return {
    pinned: true,
    pinning: { subjectCpus: String(allowed.at(-1)), loadCpus: allowed.slice(0, -1).join(",") },
  };
}

/** The CPUs this process may run on, from /proc/self/status. */
export function allowedCpus(): number[] | undefined {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const line = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status);
    return line?.[1] === undefined ? undefined : parseCpuList(line[1]);
  } catch {
    return undefined;
  }
}

/** Decide, and pin this process (every thread) to the load CPUs; unpinned, with why, on failure. */
export function pinLoadGenerator(wanted: boolean): PinningPlan {
  const plan = planPinning(allowedCpus(), wanted);
  if (!plan.pinned) return plan;
  try {
    const args = ["-a", "-p", "-c", plan.pinning.loadCpus, String(process.pid)];
    execFileSync("taskset", args, { stdio: "ignore" });
    return plan;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "taskset is not installed" : `taskset failed (${error})`;
    return { pinned: false, reason };
  }
}

/** `node args` on the subject CPU: taskset execs node in its place, so the pid is the subject's. */
export function subjectCommand(
  pinning: CpuPinning | undefined,
  node: string,
  args: readonly string[],
): { readonly command: string; readonly args: readonly string[] } {
  if (pinning === undefined) return { command: node, args };
  return { command: "taskset", args: ["-c", pinning.subjectCpus, node, ...args] };
}

/**
 * User + system CPU time of a process (all its threads), in clock ticks, from the text of
 * /proc/<pid>/stat: fields 14 (utime) and 15 (stime), see proc(5).
 * @throws Error when the text is not such a line.
 */
export function parseCpuTicks(stat: string): number {
  // Field 2 is the command name in parentheses and may itself hold spaces and ")": count from the last.
  const close = stat.lastIndexOf(")");
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state), so utime and stime are fields[11] and fields[12].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (close < 0 || !Number.isSafeInteger(utime) || !Number.isSafeInteger(stime)) {
    throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  }
  return utime + stime;
}

/** The CPU time a running process has used so far, in clock ticks (Linux only). */
export function readCpuTicks(pid: number): number {
  return parseCpuTicks(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

/** Clock ticks per second (`getconf CLK_TCK`), 100 when it cannot be asked. */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isSafeInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
