import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

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
