import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { allowedCpus, parseCpuList, planPinning, subjectCommand } from "../src/cpu-pinning.ts";

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
