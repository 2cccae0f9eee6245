import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { clockTicksPerSecond, parseCpuTicks, readCpuTicks } from "../src/proc-stat.ts";

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
