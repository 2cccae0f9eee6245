import { describe, expect, it } from "vitest";
import { benchConfigFromEnv } from "../src/bench-config.ts";
import { summarizeRounds } from "../src/load-rounds.ts";
import type { Sample } from "../src/measure-sample.ts";
import { renderMarkdown, renderSvg } from "../src/render-report.ts";
import { type BenchReport, machineInfo } from "../src/report.ts";
import { SUBJECTS } from "../src/subject-catalog.ts";
import { summarizeTarget, TARGETS } from "../src/targets.ts";

const sample = (rps: number, cpuPercent: number): Sample => ({
  rps,
  p50: 1,
  p99: 4,
  errors: 0,
  cpuPercent,
  cpuUs: (cpuPercent * 1e4) / rps,
});

/** A report over the whole catalog and every target; the ceiling's routes not saturated. */
function report(quick: boolean): BenchReport {
  const results = SUBJECTS.flatMap((spec) =>
    spec.routes.map((route) =>
      summarizeRounds(spec, route, [sample(20_000, spec.id === "bare-http" ? 80 : 98)]),
    ),
  );
  const block = { a: [sample(30_000, 98), sample(31_000, 98)], b: [sample(20_000, 99)] };
  return {
    machine: machineInfo(new Date("2026-12-01T10:00:00Z")),
    config: benchConfigFromEnv({ BENCH_QUICK: String(quick) }, "/reports"),
    pinning: { pinned: true, pinning: { subjectCpus: "1", loadCpus: "0" } },
    results,
    targets: TARGETS.map((target) => summarizeTarget(target, [block])),
    seconds: 400,
  };
}

describe("renderMarkdown", () => {
  it("fits in 150 lines with every route of every subject and every target, naming the Node line", () => {
    const page = renderMarkdown(report(false), "benchmarks.svg");
    expect(page.split("\n").length).toBeLessThanOrEqual(150);
    expect(page).toContain(`Node.js ${process.version}`);
    const rows = page.split("\n").filter((line) => /^\| .+ \| `\/[^`]*` \|/.test(line));
    expect(rows).toHaveLength(SUBJECTS.reduce((n, s) => n + s.routes.length, 0));
    expect(page).toContain("*80% (not saturated)*");
    expect(page.match(/\*\*PASS\*\*/g)).toHaveLength(TARGETS.length);
    expect(page).not.toContain("Smoke run");
    // Bearer and DPoP on the same path are rows of their own.
    expect(page).toContain("| this api | `/protected (DPoP)` |");
    expect(page).toContain("| this api | `/protected` |");
  });

  it("says a quick run is a smoke run, not a measurement", () => {
    expect(renderMarkdown(report(true), "benchmarks.svg")).toContain("**Smoke run**");
    expect(renderSvg(report(true))).toContain("SMOKE RUN");
  });
});

describe("renderSvg", () => {
  it("draws one bar per route of every subject and marks the unsaturated ones", () => {
    const svg = renderSvg(report(false));
    const bars = svg.match(/<rect x="\d+" y="\d+" width=/g) ?? [];
    expect(bars).toHaveLength(SUBJECTS.reduce((n, s) => n + s.routes.length, 0));
    expect(svg).toContain("20,000 *");
    expect(svg).toContain("* not saturated");
  });
});
