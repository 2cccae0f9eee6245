import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Which CPUs the subject under load and the load generator run on. On a small machine they
 * otherwise share every core: the scheduler moves them around, a subject's throughput moves by a
 * fifth between runs, and one that waited for a core looks like one that was slow. Pinned, each
 * subject has one core of its own (as an instance limited to one CPU in a container has), and its
 * CPU use says whether it was the bottleneck.
 */
export interface CpuPinning {
  /** The one CPU every subject process runs on (taskset's list syntax). */
  readonly subjectCpus: string;
  /** The CPUs of this process: autocannon, the issuer, the verifier micro-benchmark. */
  readonly loadCpus: string;
}

/** Why the run is not pinned, or how it is. */
export type PinningPlan =
  | { readonly pinned: true; readonly pinning: CpuPinning }
  | { readonly pinned: false; readonly reason: string };

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

/** The subject gets the last allowed CPU, the load generator all the others. */
export function planPinning(allowed: readonly number[] | undefined, wanted: boolean): PinningPlan {
  if (!wanted) return { pinned: false, reason: "BENCH_PIN=false" };
  if (allowed === undefined) {
    return { pinned: false, reason: "the allowed CPUs are unknown (not Linux)" };
  }
  if (allowed.length < 2) return { pinned: false, reason: "only one CPU is allowed" };
  const subject = allowed.at(-1) as number;
  return {
    pinned: true,
    pinning: { subjectCpus: String(subject), loadCpus: allowed.slice(0, -1).join(",") },
  };
}

/** The CPUs this process may run on (Linux), from /proc/self/status. */
export function allowedCpus(): number[] | undefined {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const line = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status);
    return line?.[1] === undefined ? undefined : parseCpuList(line[1]);
  } catch {
    return undefined;
  }
}

/**
 * Pin this process (every thread it has; threads it starts later inherit it) to the load CPUs.
 * @returns why it could not, or undefined once done.
 */
export function pinThisProcess(pinning: CpuPinning): string | undefined {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", pinning.loadCpus, String(process.pid)], {
      stdio: "ignore",
    });
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "taskset is not installed" : `taskset failed (${String(error)})`;
  }
}

/** Decide and apply: the plan the run goes with (unpinned, with the reason, when applying failed). */
export function pinLoadGenerator(wanted: boolean): PinningPlan {
  const plan = planPinning(allowedCpus(), wanted);
  if (!plan.pinned) return plan;
  const failure = pinThisProcess(plan.pinning);
  return failure === undefined ? plan : { pinned: false, reason: failure };
}

/**
 * The command that runs `file` with `args` on the subject CPU: taskset executes node in its own
 * place (same pid, same inherited IPC channel), so the child is the subject itself.
 */
export function subjectCommand(
  pinning: CpuPinning | undefined,
  file: string,
  args: readonly string[],
): { readonly command: string; readonly args: readonly string[] } {
  if (pinning === undefined) return { command: file, args };
  return { command: "taskset", args: ["-c", pinning.subjectCpus, file, ...args] };
}
