import { describe, expect, it } from "vitest";
import { summarizeCpuProfile } from "../src/cpu-profile.ts";

const ROOT = new URL("../../", import.meta.url).href;

function frame(id: number, functionName: string, url: string, lineNumber = 0) {
  return { id, callFrame: { functionName, url, lineNumber } };
}

describe("summarizeCpuProfile", () => {
  const profile = {
    nodes: [
      frame(1, "(idle)", ""),
      frame(2, "respond", `${ROOT}apps/api/src/http/fast-query-handler.ts`, 9),
      frame(
        3,
        "_objectSpread2",
        `${ROOT}node_modules/.pnpm/@trpc+server@11.0.0/node_modules/@trpc/server/dist/x.mjs`,
        226,
      ),
      frame(4, "writev", ""),
    ],
    // Each delta belongs to the sample before it: 2 → 300 µs, 3 → 100 µs, 4 → 600 µs, 1 → idle.
    samples: [2, 3, 4, 1, 1],
    timeDeltas: [0, 300, 100, 600, 1000],
  };

  it("names repository files from the repository root and dependencies by package", () => {
    const summary = summarizeCpuProfile(JSON.stringify(profile));
    expect(summary.functions.map((f) => [f.name, f.where, f.ms])).toEqual([
      ["writev", "", 0.6],
      ["respond", "apps/api/src/http/fast-query-handler.ts:10", 0.3],
      ["_objectSpread2", "@trpc/server/dist/x.mjs:227", 0.1],
    ]);
    expect(summary.areas.map((a) => a.area)).toEqual([
      "native / V8 builtins",
      "apps/api",
      "@trpc/server",
    ]);
    expect(summary.busyMs).toBe(1);
    expect(summary.idleMs).toBe(1);
  });
});
