import type { BenchReport } from "./bench-report.ts";
import { formatBytes, formatCount, formatCpuUse, formatMs, formatNumber } from "./format.ts";
import { SATURATED_CPU_PERCENT } from "./load-rounds.ts";
import { blockSummary, endLabel } from "./paired-slices-text.ts";
import type { ProfileComparison, RouteProfile } from "./profile-api.ts";
import { AUTH_CPU_BLOCKS_SCALE, verdictLabel } from "./targets.ts";

/** The run's results as plain-text tables for the terminal. */
export function renderConsole(report: BenchReport): string {
  const { config, machine } = report;
  const out: string[] = [];
  out.push(
    `\nNode.js ${machine.node} (${machine.nodePath})${machine.nodePath === machine.runnerNodePath ? "" : `, runner on ${machine.runnerNode}`}, ${machine.cpuCount} × ${machine.cpuModel}${report.pinning.pinned ? `; subjects on CPU ${report.pinning.pinning.subjectCpus}, load on CPU ${report.pinning.pinning.loadCpus}` : `; not pinned (${report.pinning.reason})`}${config.quick ? "; BENCH_QUICK smoke run, not a measurement" : ""}`,
  );
  out.push(
    `Load: ${config.connections} connections, ${config.durationS} s per measurement after ${config.warmupS} s warm-up, ${config.rounds} interleaved round(s), medians. CPU: the subject's own CPU time over the measurement, % of one core; under ${SATURATED_CPU_PERCENT}% it is not saturated and its ratios decide nothing.`,
  );
  out.push(
    table(
      ["subject", "route", "req/s", "p50 ms", "p99 ms", "CPU", "CPU µs/req", "errors"],
      report.load.map((r) => [
        r.label,
        r.route.path,
        formatCount(r.rps),
        formatMs(r.p50),
        formatMs(r.p99),
        formatCpuUse(r.cpuPercent, r.saturated),
        formatNumber(r.cpuUs),
        String(r.errors),
      ]),
      [false, false, true, true, true, true, true, true],
    ),
  );
  if (report.paired.length > 0) {
    out.push(
      `\nPaired slices: ${config.pairedBlocks} ABBA block(s) per pair (${AUTH_CPU_BLOCKS_SCALE * config.pairedBlocks} for /trpc/protected against /trpc/public), ${config.sliceS} s per slice; per block a / b requests/s and CPU µs per request a − b`,
    );
    out.push(
      table(
        ["a", "b", "ratio", "CPU µs a − b", "a CPU", "b CPU", "blocks"],
        report.paired.map((p) => [
          endLabel(report, p.a),
          endLabel(report, p.b),
          formatNumber(p.ratio),
          formatNumber(p.cpuDiffUs),
          formatCpuUse(p.aCpuPercent, p.aCpuPercent >= SATURATED_CPU_PERCENT),
          formatCpuUse(p.bCpuPercent, p.bCpuPercent >= SATURATED_CPU_PERCENT),
          blockSummary(p),
        ]),
        [false, false, true, true, true, true, false],
      ),
    );
  }
  out.push("\nTargets");
  out.push(
    table(
      [
        "result",
        "target",
        "measured",
        "value",
        "required",
        "by how much",
        "basis",
        "rounds",
        "by CPU",
      ],
      report.targets.map((t) => [
        verdictLabel(t.verdict),
        t.description,
        t.measured,
        t.value,
        t.required,
        t.margin,
        t.basis,
        t.roundsValue ?? "",
        t.cpuRatio === undefined ? "" : t.cpuRatio.toFixed(2),
      ]),
      [false, false, false, true, false, false, false, true, true],
    ),
  );
  out.push(
    `\nVerifier alone (${config.verifierDurationS} s × ${config.rounds} interleaved round(s), medians)`,
  );
  out.push(
    table(
      ["candidate", "verifications/s", "µs each"],
      report.verifier.map((v) => [
        v.label,
        formatCount(v.opsPerSec),
        formatNumber(1e6 / v.opsPerSec),
      ]),
      [false, true, true],
    ),
  );
  const m = report.memory;
  out.push(
    `\nMemory of a fresh api after ${formatCount(m.tokens)} distinct valid tokens (cache bound ${formatCount(m.cacheBound)} entries${m.gc ? ", readings after a full GC" : ""})`,
  );
  out.push(
    table(
      ["tokens", "RSS", "heapUsed"],
      m.checkpoints.map((c) => [
        formatCount(c.tokens),
        formatBytes(c.rss),
        formatBytes(c.heapUsed),
      ]),
      [true, true, true],
    ),
  );
  if (m.withinBound !== undefined) {
    out.push(
      `${m.withinBound ? "PASS" : "MISS"}: heap grew ${formatBytes(m.growthAfterBound ?? 0)} after the cache filled; ≈${formatBytes(m.bytesPerEntry ?? 0)} per entry, ${formatBytes(m.unboundedGrowth ?? 0)} had every token stayed cached`,
    );
  }
  out.push(...renderProfiles(report.profiles, report.profileComparison));
  return out.join("\n");
}

/** Top functions by self time per profiled route, and where a protected request's extra time goes. */
export function renderProfiles(
  profiles: readonly RouteProfile[],
  comparison: ProfileComparison | undefined,
  top = 15,
): string[] {
  const out: string[] = [];
  for (const p of profiles) {
    out.push(
      `\nProfile of this api's ${p.route} (${p.seconds} s, ${p.connections} connections, ${formatCount(p.rps)} req/s while profiled; ${formatNumber((p.busyMs * 1000) / p.requests)} µs busy, ${formatNumber(p.cpuUs)} µs CPU per request, CPU ${formatCpuUse(p.cpuPercent, p.cpuPercent >= SATURATED_CPU_PERCENT)}): top functions by self time`,
    );
    out.push(
      table(
        ["self %", "µs/req", "function", "where"],
        p.functions
          .slice(0, top)
          .map((f) => [
            formatNumber(f.percent),
            formatNumber((f.ms * 1000) / p.requests),
            f.name,
            f.where,
          ]),
        [true, true, false, false],
      ),
    );
  }
  if (comparison !== undefined) {
    out.push(
      `\n${comparison.target} against ${comparison.base}: ${formatNumber(comparison.targetCpuUs)} vs ${formatNumber(comparison.baseCpuUs)} µs CPU, ${formatNumber(comparison.targetBusyUs)} vs ${formatNumber(comparison.baseBusyUs)} µs sampled busy per request; largest increases of self time per request (${comparison.omitted} functions grew by less than ${formatNumber(comparison.thresholdUs)} µs or not at all, left out)`,
    );
    out.push(
      table(
        ["+µs/req", comparison.base, comparison.target, "function", "where"],
        comparison.functions.map((f) => [
          formatNumber(f.targetUs - f.baseUs),
          formatNumber(f.baseUs),
          formatNumber(f.targetUs),
          f.name,
          f.where,
        ]),
        [true, true, true, false, false],
      ),
    );
  }
  return out;
}

function table(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        right[i] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
