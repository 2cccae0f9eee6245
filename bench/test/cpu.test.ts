import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  allowedCpus,
  clockTicksPerSecond,
  parseCpuList,
  parseCpuTicks,
  planPinning,
  readCpuTicks,
  subjectCommand,
} from "../src/cpu.ts";

const run = promisify(execFile);

describe("parseCpuList", () => {
  it.each([
    ["0", [0]],
    ["0-1", [0, 1]],
    ["0-3,6", [0, 1, 2, 3, 6]],
    [" 2,4-5\n", [2, 4, 5]],
  ])("reads %j", (text, cpus) => {
    expect(parseCpuList(text)).toEqual(cpus);
  });

  it.each(["", "a", "1-", "3-1", "0-99999", "1;2"])("refuses %j", (text) => {
    expect(parseCpuList(text)).toBeUndefined();
  });
});

describe("planPinning", () => {
  it("gives the subject the last CPU and the load generator the others", () => {
    expect(planPinning([0, 1], true)).toEqual({
      pinned: true,
      pinning: { subjectCpus: "1", loadCpus: "0" },
    });
    expect(planPinning([2, 3, 5, 7], true)).toEqual({
      pinned: true,
      pinning: { subjectCpus: "7", loadCpus: "2,3,5" },
    });
  });

  it("does not pin when asked not to, on one CPU, or when the CPUs are unknown", () => {
    expect(planPinning([0, 1], false)).toEqual({ pinned: false, reason: "BENCH_PIN=false" });
    expect(planPinning([0], true)).toMatchObject({ pinned: false, reason: /one CPU/ });
    expect(planPinning(undefined, true)).toMatchObject({ pinned: false, reason: /unknown/ });
  });

  it("leaves the command alone when not pinned", () => {
    expect(subjectCommand(undefined, "/usr/bin/node", ["a.js"])).toEqual({
      command: "/usr/bin/node",
      args: ["a.js"],
    });
  });
});

const tasksetHere =
  existsSync("/proc/self/status") &&
  ["/usr/bin/taskset", "/bin/taskset"].some((path) => existsSync(path)) &&
  (allowedCpus()?.length ?? 0) >= 2;

describe.runIf(tasksetHere)("subjectCommand on this machine", () => {
  it("starts node on the subject's CPU only", async () => {
    const plan = planPinning(allowedCpus(), true);
    if (!plan.pinned) throw new Error(plan.reason);
    const { command, args } = subjectCommand(plan.pinning, process.execPath, [
      "-e",
      'process.stdout.write(/^Cpus_allowed_list:\\s*(\\S+)$/m.exec(require("fs").readFileSync("/proc/self/status", "utf8"))[1])',
    ]);
    const { stdout } = await run(command, [...args]);
    expect(stdout).toBe(plan.pinning.subjectCpus);
  });
});

/** A /proc/<pid>/stat line with this command name, utime and stime (the other fields zero). */
function statLine(comm: string, utime: number, stime: number): string {
  const after = ["S", ...Array.from({ length: 10 }, (_, i) => String(i + 1)), utime, stime];
  return `4242 (${comm}) ${[...after, ...Array.from({ length: 37 }, () => "0")].join(" ")}\n`;
}

describe("parseCpuTicks", () => {
  it("adds utime and stime, fields 14 and 15", () => {
    expect(parseCpuTicks(statLine("node", 1234, 56))).toBe(1290);
  });

  it("counts fields from the last parenthesis, whatever the command name holds", () => {
    expect(parseCpuTicks(statLine("a b) 7 8 (c", 10, 5))).toBe(15);
  });

  it("refuses text that is not a stat line", () => {
    expect(() => parseCpuTicks("")).toThrow(/not a \/proc/);
    expect(() => parseCpuTicks("12 (node) S 1 2")).toThrow(/not a \/proc/);
  });
});

const linux = (() => {
  try {
    return readFileSync("/proc/self/stat", "utf8").length > 0;
  } catch {
    return false;
  }
})();

describe.runIf(linux)("readCpuTicks on this machine", () => {
  it("grows with the CPU time this process burns, as process.cpuUsage sees it", () => {
    const ticksPerSecond = clockTicksPerSecond();
    const ticksBefore = readCpuTicks(process.pid);
    const usageBefore = process.cpuUsage();
    let spent = 0;
    while (spent < 200_000) {
      const u = process.cpuUsage(usageBefore);
      spent = u.user + u.system;
    }
    const ticks = readCpuTicks(process.pid) - ticksBefore;
    const usage = process.cpuUsage(usageBefore);
    const expected = ((usage.user + usage.system) / 1e6) * ticksPerSecond;
    // Ticks are whole and the two readings are not taken at the same instant: a few ticks apart.
    expect(Math.abs(ticks - expected)).toBeLessThanOrEqual(Math.max(3, expected * 0.1));
    expect(ticks).toBeGreaterThan(0);
  });
});
