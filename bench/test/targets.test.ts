import { describe, expect, it } from "vitest";
import type { RouteResult, SubjectSample } from "../src/load-rounds.ts";
import type { MemoryResult } from "../src/memory-bench.ts";
import { type AbbaBlock, type PairSpec, pairKey, summarizePair } from "../src/paired-slices.ts";
import { type BenchRoute, ROUTES, type SubjectId } from "../src/subject-catalog.ts";
import { evaluateTargets, type TargetResult, targetPairs } from "../src/targets.ts";

interface Measured {
  readonly rps: number;
  readonly cpuUs: number;
  readonly cpuPercent?: number;
}

function sample(m: Measured): SubjectSample {
  return {
    rps: m.rps,
    p50: 1,
    p99: 3,
    requests: m.rps * 2,
    durationS: 2,
    non2xx: 0,
    errors: 0,
    cpuUs: m.cpuUs,
    cpuPercent: m.cpuPercent ?? 99,
  };
}

function slice(rps: number): Measured {
  return { rps, cpuUs: 1e6 / rps };
}

/** An ABBA block: a's two slices, b's two slices. */
function block(a: [Measured, Measured], b: [Measured, Measured]): AbbaBlock {
  return { a: [sample(a[0]), sample(a[1])], b: [sample(b[0]), sample(b[1])] };
}

function result(subject: SubjectId, route: BenchRoute, m: Measured): RouteResult {
  const cpuPercent = m.cpuPercent ?? 99;
  const sample: SubjectSample = {
    rps: m.rps,
    p50: 1,
    p99: 3,
    requests: m.rps * 5,
    durationS: 5,
    non2xx: 0,
    errors: 0,
    cpuUs: m.cpuUs,
    cpuPercent,
  };
  return {
    subject,
    label: subject,
    route,
    samples: [sample],
    rps: m.rps,
    p50: 1,
    p99: 3,
    cpuUs: m.cpuUs,
    cpuPercent,
    saturated: cpuPercent >= 90,
    errors: 0,
  };
}

/** A run where every target is met, with one measurement overridden. */
function run(
  override: Partial<Record<`${SubjectId} ${BenchRoute["path"]}`, Measured>> = {},
): RouteResult[] {
  const base: Record<string, [SubjectId, BenchRoute, Measured]> = {
    "api /trpc/public": ["api", ROUTES.trpcPublic, { rps: 50_000, cpuUs: 20 }],
    "api /trpc/protected": ["api", ROUTES.trpcProtected, { rps: 48_000, cpuUs: 21 }],
    "api /public": ["api", ROUTES.restPublic, { rps: 60_000, cpuUs: 16 }],
    "api /protected": ["api", ROUTES.restProtected, { rps: 55_000, cpuUs: 18 }],
    "bare-http /protected": ["bare-http", ROUTES.restProtected, { rps: 80_000, cpuUs: 12 }],
    "bare-http /trpc/protected": ["bare-http", ROUTES.trpcProtected, { rps: 79_000, cpuUs: 12 }],
    "fastify-tuned /protected": ["fastify-tuned", ROUTES.restProtected, { rps: 50_000, cpuUs: 19 }],
  };
  return Object.entries(base).map(([key, [subject, route, measured]]) =>
    result(subject, route, override[key as keyof typeof override] ?? measured),
  );
}

function memory(tokens: number, withinBound: boolean | undefined): MemoryResult {
  return {
    tokens,
    cacheBound: 10_000,
    concurrency: 16,
    seconds: 20,
    checkpoints: [],
    bytesPerEntry: 1800,
    unboundedGrowth: tokens * 1800,
    growthAfterBound: withinBound === false ? 50_000_000 : 9000,
    withinBound,
    gc: true,
  };
}

function find(targets: readonly TargetResult[], start: string): TargetResult {
  const found = targets.find((t) => t.description.startsWith(start));
  if (found === undefined) throw new Error(`no target "${start}"`);
  return found;
}

describe("evaluateTargets", () => {
  it("passes every target of a saturated run that meets them, the memory one at 100,000 tokens", () => {
    const targets = evaluateTargets(run(), [], memory(100_000, true));
    expect(targets.map((t) => t.verdict)).toEqual(["pass", "pass", "pass", "pass", "pass", "pass"]);
    const rest = find(targets, "REST /protected ≥ 1.0");
    expect(rest.value).toBe("1.10");
    expect(rest.required).toBe("≥ 1.00");
    expect(rest.measured).toBe("55,000 / 50,000 req/s");
  });

  it("withholds a ratio's verdict when either subject used under 90% of a core, still showing the ratio", () => {
    const targets = evaluateTargets(
      run({ "fastify-tuned /protected": { rps: 20_000, cpuUs: 19, cpuPercent: 61 } }),
      [],
      memory(100_000, true),
    );
    const rest = find(targets, "REST /protected ≥ 1.0");
    expect(rest.verdict).toBe("not measured");
    expect(rest.value).toBe("2.75");
    expect(rest.margin).toBe("not saturated (< 90% of a core): fastify-tuned /protected 61.0%");
    expect(find(targets, "/trpc/protected ≥ 0.9 × the tuned").verdict).toBe("not measured");
    expect(find(targets, "/trpc/protected ≥ 0.9 × /trpc/public").verdict).toBe("pass");
  });

  it("judges authentication's cost as CPU per request of /trpc/protected minus /trpc/public", () => {
    const targets = evaluateTargets(
      run({ "api /trpc/protected": { rps: 44_000, cpuUs: 23.5 } }),
      [],
      memory(100_000, true),
    );
    const cpu = find(targets, "server CPU per request");
    expect(cpu.verdict).toBe("miss");
    expect(cpu.value).toBe("+3.50 µs");
    expect(cpu.margin).toBe("missed by 1.50 µs per request");
    expect(cpu.basis).toBe("round medians");
    expect(cpu.cpuRatio).toBeUndefined();
  });

  it("reports a missed ratio with the shortfall in requests per second", () => {
    const targets = evaluateTargets(
      run({ "api /protected": { rps: 45_000, cpuUs: 18 } }),
      [],
      memory(100_000, true),
    );
    const rest = find(targets, "REST /protected ≥ 1.0");
    expect(rest.verdict).toBe("miss");
    expect(rest.margin).toBe("missed by 0.10 (10.0% short; needs 5,000 more req/s)");
  });

  it("compares the faster protected route with the ceiling's same route", () => {
    const targets = evaluateTargets(
      run({ "api /trpc/protected": { rps: 58_000, cpuUs: 20.5 } }),
      [],
      memory(100_000, true),
    );
    const best = find(targets, "best protected route");
    expect(best.measured).toBe("58,000 / 79,000 req/s");
    expect(best.verdict).toBe("pass");
  });

  it("judges memory only after 100,000 distinct tokens", () => {
    expect(find(evaluateTargets(run(), [], memory(20_000, true)), "memory").verdict).toBe(
      "not measured",
    );
    expect(find(evaluateTargets(run(), [], memory(100_000, false)), "memory").verdict).toBe("miss");
    expect(find(evaluateTargets(run(), [], undefined), "memory").margin).toBe("memory run skipped");
  });

  it("judges on the paired slices when the run has them, showing the rounds' value beside", () => {
    // The rounds say /trpc/protected is far behind the tuned peer (measured in a slow minute);
    // side by side, it is ahead.
    const load = run({ "api /trpc/protected": { rps: 30_000, cpuUs: 33 } });
    const spec = targetPairs()[1] as PairSpec;
    expect(pairKey(spec)).toBe("api /trpc/protected / fastify-tuned /protected");
    const paired = summarizePair(spec, [
      block(
        [
          { rps: 24_000, cpuUs: 41 },
          { rps: 26_000, cpuUs: 39 },
        ],
        [
          { rps: 20_000, cpuUs: 50 },
          { rps: 20_000, cpuUs: 50 },
        ],
      ),
    ]);
    const targets = evaluateTargets(load, [paired], memory(100_000, true));
    const trpc = find(targets, "/trpc/protected ≥ 0.9 × the tuned");
    expect(trpc).toMatchObject({
      verdict: "pass",
      basis: "paired slices",
      value: "1.25",
      roundsValue: "0.60",
      measured: "1 ABBA block(s): 25,000 / 20,000 req/s",
    });
    expect(trpc.cpuRatio).toBeCloseTo(1.25);
    // Targets whose pair was not measured keep the rounds' medians.
    expect(find(targets, "REST /protected ≥ 1.0").basis).toBe("round medians");
  });

  it("withholds a paired verdict when a side was not saturated during its slices", () => {
    const load = run();
    const spec = targetPairs()[0] as PairSpec;
    const slow = { rps: 30_000, cpuUs: 20, cpuPercent: 70 };
    const paired = summarizePair(spec, [
      block(
        [
          { rps: 55_000, cpuUs: 18 },
          { rps: 55_000, cpuUs: 18 },
        ],
        [slow, slow],
      ),
    ]);
    const rest = find(evaluateTargets(load, [paired], undefined), "REST /protected ≥ 1.0");
    expect(rest.verdict).toBe("not measured");
    expect(rest.margin).toBe("not saturated (< 90% of a core): fastify-tuned /protected 70.0%");
  });

  it("keeps a verdict an unsaturated side could not change: a pass over an unsaturated numerator, a miss under an unsaturated denominator", () => {
    const load = run();
    const spec = targetPairs()[0] as PairSpec;
    const judge = (a: Measured, b: Measured) =>
      find(
        evaluateTargets(load, [summarizePair(spec, [block([a, a], [b, b])])], undefined),
        "REST /protected ≥ 1.0",
      );
    const idle = (rps: number) => ({ rps, cpuUs: 20, cpuPercent: 85 });
    const busy = (rps: number) => ({ rps, cpuUs: 20, cpuPercent: 97 });
    expect(judge(idle(30_000), busy(20_000))).toMatchObject({
      verdict: "pass",
      margin:
        "met with 50.0% to spare (a lower bound: api /protected was not saturated, 85.0% of a core)",
    });
    expect(judge(busy(15_000), idle(20_000))).toMatchObject({
      verdict: "miss",
      margin:
        "missed by 0.25 (25.0% short; needs 5,000 more req/s) (an upper bound: fastify-tuned /protected was not saturated, 85.0% of a core)",
    });
    expect(judge(idle(15_000), busy(20_000)).verdict).toBe("not measured");
    expect(judge(busy(30_000), idle(20_000)).verdict).toBe("not measured");
    expect(judge(idle(30_000), idle(20_000)).verdict).toBe("not measured");
  });

  it("judges authentication's CPU on the paired difference", () => {
    const load = run();
    const spec = targetPairs()[2] as PairSpec;
    expect(pairKey(spec)).toBe("api /trpc/protected / api /trpc/public");
    const paired = summarizePair(spec, [
      block(
        [
          { rps: 40_000, cpuUs: 24 },
          { rps: 40_000, cpuUs: 26 },
        ],
        [
          { rps: 45_000, cpuUs: 21 },
          { rps: 45_000, cpuUs: 21 },
        ],
      ),
    ]);
    const cpu = find(evaluateTargets(load, [paired], undefined), "server CPU per request");
    expect(cpu).toMatchObject({ verdict: "miss", value: "+4.00 µs", roundsValue: "+1.00 µs" });
  });

  it("gives authentication's CPU twice the blocks, and its verdict the median's interval over them", () => {
    const spec = targetPairs()[2] as PairSpec;
    expect(spec.blocksScale).toBe(2);
    const others = targetPairs().filter((p) => pairKey(p) !== pairKey(spec));
    expect(others.map((p) => p.blocksScale)).toEqual([undefined, undefined, undefined, undefined]);
    // Twelve blocks whose differences are +0.5 ... +6.0 µs: median +3.25, interval 3rd to 10th.
    const diffs = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6];
    const blocksOf = (list: readonly number[]) =>
      list.map((d) =>
        block(
          [
            { rps: 40_000, cpuUs: 20 + d },
            { rps: 40_000, cpuUs: 20 + d },
          ],
          [
            { rps: 41_000, cpuUs: 20 },
            { rps: 41_000, cpuUs: 20 },
          ],
        ),
      );
    const judged = (list: readonly number[]) =>
      find(
        evaluateTargets(run(), [summarizePair(spec, blocksOf(list))], undefined),
        "server CPU per request",
      );
    expect(judged(diffs).margin).toBe(
      "missed by 1.25 µs per request; the median's 96% interval over 12 blocks is +1.50 to +5.00 µs, which holds the budget: the run does not settle it; at each block's own speed +3.25 µs",
    );
    const low = diffs.map((d) => d / 4);
    expect(judged(low)).toMatchObject({ verdict: "pass", value: "+0.81 µs" });
    expect(judged(low).margin).toBe(
      "met with 1.19 µs to spare; the median's 96% interval over 12 blocks is +0.38 to +1.25 µs; at each block's own speed +0.81 µs",
    );
    // One block: no interval to give.
    expect(judged([3]).margin).toBe(
      "missed by 1.00 µs per request; at each block's own speed +3.00 µs",
    );
  });

  it("judges authentication's CPU at the speed of the fastest block: a slow minute stretches a difference too", () => {
    const spec = targetPairs()[2] as PairSpec;
    // The same code at full speed (b 20 µs) and twice at half speed (b 40 µs): 1, 2.5 and 3 µs
    // apart as measured, 1, 1.25 and 1.5 µs at full speed.
    const at = (a: number, b: number) =>
      block(
        [
          { rps: 1e6 / a, cpuUs: a },
          { rps: 1e6 / a, cpuUs: a },
        ],
        [
          { rps: 1e6 / b, cpuUs: b },
          { rps: 1e6 / b, cpuUs: b },
        ],
      );
    const paired = summarizePair(spec, [at(42.5, 40), at(21, 20), at(43, 40)]);
    expect(paired.cpuDiffUs).toBeCloseTo(2.5, 12);
    expect(paired.cpuDiffAtFullSpeedUs).toBeCloseTo(1.25, 12);
    expect(paired.fullSpeedBCpuUs).toBe(20);
    const cpu = find(evaluateTargets(run(), [paired], undefined), "server CPU per request");
    expect(cpu).toMatchObject({
      verdict: "pass",
      value: "+1.25 µs",
      measured:
        "3 ABBA block(s): 35.5 − 33.3 µs; at the fastest block's speed (/trpc/public 20.0 µs)",
      margin:
        "met with 0.75 µs to spare; the median's 75% interval over 3 blocks is +1.00 to +1.50 µs; at each block's own speed +2.50 µs",
    });
  });
});

describe("targetPairs", () => {
  it("holds each protected route of the api to the ceiling's same route; the better one is judged", () => {
    const pairs = targetPairs().map(pairKey);
    expect(pairs).toContain("api /trpc/protected / bare-http /trpc/protected");
    expect(pairs).toContain("api /protected / bare-http /protected");
    // The rounds favour /trpc/protected; side by side, REST /protected is the better route.
    const load = run({ "api /trpc/protected": { rps: 58_000, cpuUs: 20 } });
    const at = (key: string) => targetPairs().find((p) => pairKey(p) === key) as PairSpec;
    const paired = [
      summarizePair(at("api /trpc/protected / bare-http /trpc/protected"), [
        block([slice(20_000), slice(20_000)], [slice(40_000), slice(40_000)]),
      ]),
      summarizePair(at("api /protected / bare-http /protected"), [
        block([slice(30_000), slice(30_000)], [slice(40_000), slice(40_000)]),
      ]),
    ];
    const best = find(evaluateTargets(load, paired, undefined), "best protected route");
    expect(best.description).toContain("(/protected)");
    expect(best).toMatchObject({ value: "0.75", verdict: "pass" });
  });
});

describe("summarizePair", () => {
  it("takes the median over the blocks of each block's ratio and CPU difference", () => {
    const spec = targetPairs()[2] as PairSpec;
    const b = { rps: 10_000, cpuUs: 50 };
    // A slow minute halves both sides of block 2 alike: its ratio is unchanged.
    const result = summarizePair(spec, [
      block(
        [
          { rps: 9_000, cpuUs: 55 },
          { rps: 9_000, cpuUs: 55 },
        ],
        [b, b],
      ),
      block(
        [
          { rps: 4_000, cpuUs: 110 },
          { rps: 5_000, cpuUs: 110 },
        ],
        [
          { rps: 5_000, cpuUs: 100 },
          { rps: 5_000, cpuUs: 100 },
        ],
      ),
      block(
        [
          { rps: 12_000, cpuUs: 45 },
          { rps: 12_000, cpuUs: 45 },
        ],
        [b, b],
      ),
    ]);
    expect(result.ratio).toBeCloseTo(0.9);
    expect(result.cpuDiffUs).toBeCloseTo(5);
    expect(result.aRps).toBeCloseTo((18_000 + 9_000 + 24_000) / 6);
    expect(() => summarizePair(spec, [])).toThrow(RangeError);
  });
});
