import type { BenchReport } from "./bench-report.ts";
import { formatNumber } from "./format.ts";
import type { PairEnd, PairedResult } from "./paired-slices.ts";

/** "this api /trpc/protected": the subject's label as the tables name it. */
export function endLabel(report: Pick<BenchReport, "load">, end: PairEnd): string {
  const label = report.load.find((r) => r.subject === end.subject)?.label ?? end.subject;
  return `${label} ${end.route.path}`;
}

/** Each block's ratio and CPU difference, in order: "0.91 (+3.80 µs), 0.95 (+2.10 µs)". */
export function blockSummary(result: PairedResult): string {
  return result.blocks
    .map((block) => {
      const rps = (samples: typeof block.a) => samples[0].rps + samples[1].rps;
      const cpu = (samples: typeof block.a) => (samples[0].cpuUs + samples[1].cpuUs) / 2;
      const diff = cpu(block.a) - cpu(block.b);
      return `${formatNumber(rps(block.a) / rps(block.b))} (${diff >= 0 ? "+" : ""}${formatNumber(diff)} µs)`;
    })
    .join(", ");
}
