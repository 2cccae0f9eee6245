/**
 * `pnpm bench`: this api against the bare node:http ceiling, Fastify +
 * @fastify/jwt (tuned and as documented), Hono + hono/jwk, Express + express-oauth2-jwt-bearer and
 * a naive tRPC setup, with each subject's CPU use; then the verifier alone, the api's memory after a
 * flood of distinct tokens, and CPU profiles of /trpc/public and /trpc/protected. Prints the results
 * and the targets' verdicts and writes benchmarks.md with its chart to reports/ (docs/ with
 * --update-docs). Every subject runs on this
 * process's Node.js binary. Exits 0 when the run completes, targets met or not; non-zero only when a
 * subject is broken or the run cannot complete.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAccessTokenVerifier } from "@repo/auth/server";
import { exitOnConfigurationError, loadDotEnv, reportDir } from "@repo/env";
import { benchConfigFromEnv } from "./bench-config.ts";
import { startBenchIssuer } from "./bench-issuer.ts";
import type { BenchReport } from "./bench-report.ts";
import { checkSubject } from "./check-subject.ts";
import { pinLoadGenerator } from "./cpu-pinning.ts";
import { formatCount, formatCpuUse, formatNumber } from "./format.ts";
import { runLoadRounds, SATURATED_CPU_PERCENT } from "./load-rounds.ts";
import { machineInfo } from "./machine-info.ts";
import { runMemoryBench } from "./memory-bench.ts";
import { mintDistinctTokens } from "./mint-tokens.ts";
import {
  blocksOf,
  PAIRED_SLICE_WARMUP_S,
  type PairedResult,
  runPairedSlices,
} from "./paired-slices.ts";
import { compareProfiles, profileApi, type RouteProfile } from "./profile-api.ts";
import { renderConsole } from "./render-console.ts";
import { keptAnalysis, renderMarkdown } from "./render-markdown.ts";
import { renderSvg } from "./render-svg.ts";
import { SUBJECTS } from "./subject-catalog.ts";
import { type SubjectProcess, startSubject } from "./subject-process.ts";
import { AUTH_CPU_BLOCKS_SCALE, evaluateTargets, targetPairs } from "./targets.ts";
import { runVerifierBench } from "./verifier-bench.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** How many pairs the targets compare (targetPairs). */
const TARGET_PAIRS = targetPairs();
/** The verifier bench cycles through this many of the minted tokens. */
const VERIFIER_TOKENS = 5_000;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const config = exitOnConfigurationError("bench", () => {
    loadDotEnv();
    return benchConfigFromEnv(process.env, reportDir(process.argv, REPO_ROOT));
  });
  const started = performance.now();
  const machine = machineInfo(config.subjectNode);
  const loadAtStart = loadavg()[0] ?? 0;
  const measurements = SUBJECTS.reduce((n, s) => n + s.routes.length, 0);
  const plan = pinLoadGenerator(config.pin);
  const pinning = plan.pinned ? plan.pinning : undefined;
  log(
    plan.pinned
      ? `bench: subjects on CPU ${plan.pinning.subjectCpus}, load generator on CPU ${plan.pinning.loadCpus}`
      : `bench: not pinned to CPUs: ${plan.reason}`,
  );
  const pairedBlocks = TARGET_PAIRS.reduce(
    (total, spec) => total + blocksOf(spec, config.pairedBlocks),
    0,
  );
  log(
    `bench: ${machine.cpuCount} × ${machine.cpuModel}, subjects on node ${machine.node} (${machine.nodePath}), runner on node ${machine.runnerNode}; ${measurements} routes × ${config.rounds} round(s) × (${config.warmupS} + ${config.durationS}) s of load and ${pairedBlocks} ABBA block(s) over ${TARGET_PAIRS.length} pairs × 4 × (${PAIRED_SLICE_WARMUP_S} + ${config.sliceS}) s, ≈${formatNumber((measurements * config.rounds * (config.warmupS + config.durationS) + pairedBlocks * 4 * (PAIRED_SLICE_WARMUP_S + config.sliceS)) / 60)} min, then the verifier, memory and profile runs`,
  );

  const bench = await startBenchIssuer();
  try {
    const { token, sub, subjectEnv, issuer } = bench;
    log(`bench: issuer at ${issuer.url}; token for ${sub} from ${issuer.tokenUrl}`);

    const subjects: SubjectProcess[] = [];
    let load: BenchReport["load"];
    let paired: PairedResult[] = [];
    try {
      for (const spec of SUBJECTS) {
        const subject = await startSubject(spec, {
          env: subjectEnv,
          pinning,
          node: config.subjectNode,
        });
        subjects.push(subject);
        await checkSubject(subject, token, sub);
        log(`bench: ${spec.label} at ${subject.url} (pid ${subject.pid}) answers correctly`);
      }
      load = await runLoadRounds(subjects, {
        connections: config.connections,
        durationS: config.durationS,
        warmupS: config.warmupS,
        rounds: config.rounds,
        token,
        onSample: (round, subject, route, sample) =>
          log(
            `bench: round ${round + 1}/${config.rounds} ${subject.spec.label} ${route.path}: ${formatCount(sample.rps)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms, CPU ${formatCpuUse(sample.cpuPercent, sample.cpuPercent >= SATURATED_CPU_PERCENT)}`,
          ),
      });
      if (config.pairedBlocks > 0) {
        const pairs = targetPairs();
        log(
          `bench: ${pairs.length} pairs of routes the targets compare, ${config.pairedBlocks} ABBA block(s) each (${AUTH_CPU_BLOCKS_SCALE}× for authentication's CPU) of 4 × (${PAIRED_SLICE_WARMUP_S} + ${config.sliceS}) s`,
        );
        const loaded = load;
        paired = await runPairedSlices(pairs, subjects, {
          connections: config.connections,
          sliceS: config.sliceS,
          warmupS: PAIRED_SLICE_WARMUP_S,
          blocks: config.pairedBlocks,
          token,
          onBlock: (spec, index, block, of) => {
            const label = (end: typeof spec.a) =>
              `${loaded.find((r) => r.subject === end.subject)?.label ?? end.subject} ${end.route.path}`;
            const sides = (samples: typeof block.a) =>
              samples
                .map(
                  (s) =>
                    `${formatCount(s.rps)} (${formatCpuUse(s.cpuPercent, s.cpuPercent >= SATURATED_CPU_PERCENT)})`,
                )
                .join(", ");
            log(
              `bench: block ${index + 1}/${of} ${label(spec.a)} ${sides(block.a)} against ${label(spec.b)} ${sides(block.b)}`,
            );
          },
        });
      }
    } finally {
      await Promise.all(subjects.map((subject) => subject.stop()));
    }

    let profiles: RouteProfile[] = [];
    if (config.profileS > 0) {
      log(`bench: profiling the api's /trpc/public and /trpc/protected, ${config.profileS} s each`);
      profiles = await profileApi({
        env: subjectEnv,
        token,
        sub,
        routes: ["/trpc/public", "/trpc/protected"],
        seconds: config.profileS,
        connections: config.connections,
        pinning,
        node: config.subjectNode,
      });
    }

    log(`bench: minting ${formatCount(config.memoryTokens)} distinct tokens`);
    const mintStart = performance.now();
    const tokens = await mintDistinctTokens(issuer, config.memoryTokens, {
      onProgress: (n) => log(`bench: minted ${formatCount(n)}`),
    });
    log(`bench: minted in ${formatNumber((performance.now() - mintStart) / 1000)} s`);

    log("bench: verifier alone");
    const verifierOptions = {
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
    };
    const verifier = await runVerifierBench({
      ...verifierOptions,
      token,
      distinctTokens: tokens.slice(0, VERIFIER_TOKENS),
      durationS: config.verifierDurationS,
      rounds: config.rounds,
    });

    // The api's default bound, read from a verifier built with the same options as the api's.
    const cacheBound = createAccessTokenVerifier(verifierOptions).options.cacheMaxEntries;
    log(`bench: memory, ${formatCount(tokens.length)} distinct tokens to a fresh api`);
    const memory = await runMemoryBench({
      env: subjectEnv,
      token,
      sub,
      tokens,
      cacheBound,
      pinning,
      node: config.subjectNode,
      onProgress: (c) => log(`bench: memory after ${formatCount(c.tokens)} tokens`),
    });

    const report: BenchReport = {
      machine,
      config,
      pinning: plan,
      load,
      paired,
      targets: evaluateTargets(load, paired, memory),
      verifier,
      memory,
      profiles: profiles.filter((p) => p.route === "/trpc/protected"),
      profileComparison:
        profiles.length === 2
          ? compareProfiles(profiles[0] as RouteProfile, profiles[1] as RouteProfile)
          : undefined,
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
      seconds: (performance.now() - started) / 1000,
    };
    process.stdout.write(`${renderConsole(report)}\n`);
    await writeDocs(report, config.docsDir);
  } finally {
    await bench.issuer.close();
  }
}

async function writeDocs(report: BenchReport, docsDir: string): Promise<void> {
  await mkdir(docsDir, { recursive: true });
  const markdownPath = join(docsDir, "benchmarks.md");
  const chartFile = "benchmarks.svg";
  const existing = await readFile(markdownPath, "utf8").catch(() => undefined);
  const { config, machine } = report;
  const caption = `${config.quick ? "SMOKE RUN, not a measurement; " : ""}requests/s; ${config.connections} connections, ${config.durationS} s × ${config.rounds} round(s); ${machine.cpuCount} × ${machine.cpuModel}, node ${machine.node}, ${machine.date.slice(0, 10)}`;
  await writeFile(join(docsDir, chartFile), renderSvg(report.load, caption));
  await writeFile(markdownPath, renderMarkdown(report, chartFile, keptAnalysis(existing)));
  log(`\nbench: wrote ${markdownPath} and ${join(docsDir, chartFile)}`);
}

try {
  await main();
  process.exit(0);
} catch (error) {
  log(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
