import { describe, expect, it } from "vitest";
import type { RouteResult, SubjectSample } from "../src/load-rounds.ts";
import type { MemoryResult } from "../src/memory-bench.ts";
import { type BenchRoute, ROUTES, type SubjectId } from "../src/subject-catalog.ts";
import { evaluateTargets, type TargetResult } from "../src/targets.ts";

interface Measured {
  readonly rps: number;
  readonly cpuUs: number;
  readonly cpuPercent?: number;
}

function result(subject: SubjectId, route: BenchRoute, m: Measured): RouteResult {
  const cpuPercent = m.cpuPercent ?? 99;
  const sample: SubjectSample = {
    rps: m.rps,
    p50: 1,
    p99: 3,
    requests: m.rps * 5,
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
    const targets = evaluateTargets(run(), memory(100_000, true));
    expect(targets.map((t) => t.verdict)).toEqual(["pass", "pass", "pass", "pass", "pass", "pass"]);
    const rest = find(targets, "REST /protected ≥ 1.0");
    expect(rest.value).toBe("1.10");
    expect(rest.required).toBe("≥ 1.00");
    expect(rest.measured).toBe("55,000 / 50,000 req/s");
  });

  it("withholds a ratio's verdict when either subject used under 90% of a core, still showing the ratio", () => {
    const targets = evaluateTargets(
      run({ "fastify-tuned /protected": { rps: 20_000, cpuUs: 19, cpuPercent: 61 } }),
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
      memory(100_000, true),
    );
    const cpu = find(targets, "server CPU per request");
    expect(cpu.verdict).toBe("miss");
    expect(cpu.value).toBe("+3.50 µs");
    expect(cpu.margin).toBe("missed by 1.50 µs per request");
    expect(cpu.pairedRatio).toBeUndefined();
  });

  it("reports a missed ratio with the shortfall in requests per second", () => {
    const targets = evaluateTargets(
      run({ "api /protected": { rps: 45_000, cpuUs: 18 } }),
      memory(100_000, true),
    );
    const rest = find(targets, "REST /protected ≥ 1.0");
    expect(rest.verdict).toBe("miss");
    expect(rest.margin).toBe("missed by 0.10 (10.0% short; needs 5,000 more req/s)");
  });

  it("compares the faster protected route with the ceiling's same route", () => {
    const targets = evaluateTargets(
      run({ "api /trpc/protected": { rps: 58_000, cpuUs: 20.5 } }),
      memory(100_000, true),
    );
    const best = find(targets, "best protected route");
    expect(best.measured).toBe("58,000 / 79,000 req/s");
    expect(best.verdict).toBe("pass");
  });

  it("judges memory only after 100,000 distinct tokens", () => {
    expect(find(evaluateTargets(run(), memory(20_000, true)), "memory").verdict).toBe(
      "not measured",
    );
    expect(find(evaluateTargets(run(), memory(100_000, false)), "memory").verdict).toBe("miss");
    expect(find(evaluateTargets(run(), undefined), "memory").margin).toBe("memory run skipped");
  });
});
