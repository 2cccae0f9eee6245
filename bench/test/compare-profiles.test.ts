import { describe, expect, it } from "vitest";
import { compareProfiles, type RouteProfile } from "../src/profile-api.ts";

function profile(
  route: RouteProfile["route"],
  requests: number,
  functions: Record<string, number>,
): RouteProfile {
  const busyMs = Object.values(functions).reduce((a, b) => a + b, 0);
  return {
    route,
    seconds: 5,
    connections: 50,
    rps: requests / 5,
    requests,
    cpuUs: 40,
    cpuPercent: 98,
    busyMs,
    idleMs: 0,
    areas: [],
    functions: Object.entries(functions).map(([name, ms]) => ({
      name,
      where: "x.ts:1",
      ms,
      percent: (100 * ms) / busyMs,
    })),
  };
}

describe("compareProfiles", () => {
  // 100,000 requests: 1 ms of self time is 0.01 µs per request.
  const base = profile("/trpc/public", 100_000, { writev: 2_000, parse: 100, cached: 50 });
  const target = profile("/trpc/protected", 100_000, {
    writev: 2_004,
    parse: 100,
    verify: 300,
    lookup: 80,
    tiny: 5,
  });

  it("lists only functions whose self time per request grew by the threshold, largest first", () => {
    const comparison = compareProfiles(base, target);
    expect(comparison.functions.map((f) => [f.name, f.targetUs - f.baseUs])).toEqual([
      ["verify", 3],
      ["lookup", 0.8],
    ]);
    // writev +0.04, parse ±0, cached −0.5, tiny +0.05: under 0.1 µs or shrinking.
    expect(comparison.omitted).toBe(4);
    expect(comparison.thresholdUs).toBe(0.1);
  });

  it("takes the threshold and the row count as options", () => {
    const comparison = compareProfiles(base, target, 1, 0.01);
    expect(comparison.functions.map((f) => f.name)).toEqual(["verify"]);
    expect(comparison.omitted).toBe(2);
  });
});
