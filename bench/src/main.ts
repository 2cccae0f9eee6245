/**
 * `pnpm bench`: every subject of the catalog under the same load, then each target's two routes
 * side by side in ABBA blocks. Prints one table and the verdicts, and writes benchmarks.md and its
 * chart to reports/ (docs/ with --update-docs). Exits 0 when the run completes, targets met or not;
 * 1 when a subject is broken or the run cannot complete.
 */

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exitOnConfigurationError, loadDotEnv, reportDir } from "@repo/env";
import { benchConfigFromEnv } from "./bench-config.ts";
import { startBenchIssuer } from "./bench-issuer.ts";
import { checkSubject } from "./check-subject.ts";
import { pinLoadGenerator, pinningText } from "./cpu.ts";
import { runLoadRounds } from "./load-rounds.ts";
import type { Sample } from "./measure-sample.ts";
import { renderConsole, renderMarkdown, renderSvg } from "./render-report.ts";
import { type BenchReport, formatCount, formatCpuUse, machineInfo } from "./report.ts";
import { routeName } from "./routes.ts";
import { SUBJECTS } from "./subject-catalog.ts";
import { type SubjectProcess, startSubject } from "./subject-process.ts";
import * as targets from "./targets.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const brief = (s: Sample) => `${formatCount(s.rps)} req/s (CPU ${formatCpuUse(s.cpuPercent)})`;

async function main(): Promise<void> {
  const config = exitOnConfigurationError("bench", () => {
    loadDotEnv();
    return benchConfigFromEnv(process.env, reportDir(process.argv, REPO_ROOT));
  });
  const started = performance.now();
  const machine = machineInfo();
  const pinning = pinLoadGenerator(config.pin);
  log(
    `Node.js ${machine.node}, ${machine.cpuCount} × ${machine.cpuModel}; ${pinningText(pinning)}`,
  );
  const bench = await startBenchIssuer();
  const subjects: SubjectProcess[] = [];
  try {
    const chosen = targets.TARGETS.filter((_, i) => config.targets?.includes(i + 1) ?? true);
    const compared = new Set(chosen.flatMap((t) => [t.a.subject, t.b.subject]));
    for (const spec of SUBJECTS.filter((s) => config.targets === undefined || compared.has(s.id))) {
      const subjectCpus = pinning.pinned ? pinning.pinning : undefined;
      const subject = await startSubject(spec, { env: bench.subjectEnv, pinning: subjectCpus });
      subjects.push(subject);
      await checkSubject(subject, bench);
      log(`${spec.label} at ${subject.url} (pid ${subject.pid}) answers correctly`);
    }
    const load = { ...config, credentials: bench };
    const results = await runLoadRounds(subjects, {
      ...load,
      onSample: (subject, route, s) =>
        log(`${subject.spec.label} ${routeName(route)}: ${brief(s)}`),
    });
    // A target names subjects by SubjectId, so every one it names was started above.
    const running = ({ subject, route }: targets.RouteRef) => ({
      subject: subjects.find((s) => s.spec.id === subject) as SubjectProcess,
      route,
    });
    const verdicts: targets.TargetResult[] = [];
    for (const target of chosen) {
      const name = targets.describeTarget(target);
      const blocks = await targets.runAbbaBlocks(running(target.a), running(target.b), {
        ...load,
        onBlock: (i, { a, b }) =>
          log(
            `${name}, block ${i + 1}: A ${a.map(brief).join(", ")}; B ${b.map(brief).join(", ")}`,
          ),
      });
      verdicts.push(targets.summarizeTarget(target, blocks));
    }
    const seconds = (performance.now() - started) / 1000;
    const report: BenchReport = { machine, config, pinning, results, targets: verdicts, seconds };
    process.stdout.write(`${renderConsole(report)}\n`);
    await mkdir(config.reportDir, { recursive: true });
    await writeFile(join(config.reportDir, "benchmarks.svg"), renderSvg(report));
    await writeFile(
      join(config.reportDir, "benchmarks.md"),
      renderMarkdown(report, "benchmarks.svg"),
    );
    log(`wrote benchmarks.md and benchmarks.svg to ${config.reportDir}`);
  } finally {
    await Promise.all(subjects.map((subject) => subject.stop()));
    await bench.issuer.close();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
