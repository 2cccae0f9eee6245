import { pinningText } from "./cpu-pinning.ts";
import { isSaturated } from "./measure-sample.ts";
import { type BenchReport, formatCount, formatCpuUse, formatNumber } from "./report.ts";
import { describeTarget } from "./targets.ts";

/** The run's results as one plain-text table, then the targets' verdicts. */
export function renderConsole(report: BenchReport): string {
  const { config, machine } = report;
  const rows = report.results.map((r) => [
    r.subject.label,
    r.route.path,
    formatCount(r.rps),
    String(r.p50),
    String(r.p99),
    formatCpuUse(r.cpuPercent, r.saturated),
    formatNumber(r.cpuUs),
    String(r.errors),
  ]);
  const head = ["subject", "route", "req/s", "p50 ms", "p99 ms", "CPU", "CPU µs/req", "errors"];
  const verdicts = report.targets.map(
    (t) =>
      `${t.verdict.toUpperCase().padEnd(10)}  ${describeTarget(t.target)}: ${formatNumber(t.ratio)} (blocks ${t.ratios.map(formatNumber).join(", ")}; CPU ${formatCpuUse(t.aCpuPercent, isSaturated(t.aCpuPercent))} / ${formatCpuUse(t.bCpuPercent, isSaturated(t.bCpuPercent))})`,
  );
  return [
    "",
    `Node.js ${machine.node}, ${machine.cpuCount} × ${machine.cpuModel}; ${pinningText(report.pinning)}${config.quick ? "; BENCH_QUICK smoke run, not a measurement" : ""}`,
    `${config.connections} connections, medians of ${config.rounds} round(s) of ${config.durationS} s; CPU: % of one core used by the subject`,
    table(head, rows),
    "",
    `Targets: median of ${config.blocks} ABBA block(s) of 4 × ${config.sliceS} s per target`,
    ...verdicts,
  ].join("\n");
}

/** Columns padded to their widest cell; the first two left-aligned, numbers right-aligned. */
function table(head: readonly string[], rows: readonly string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
