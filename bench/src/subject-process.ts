import { fileURLToPath } from "node:url";
import { listeningAddress, spawnReady } from "@repo/process";
import { type CpuPinning, clockTicksPerSecond, readCpuTicks, subjectCommand } from "./cpu.ts";
import type { SubjectSpec } from "./subject-catalog.ts";

/** Every subject listens here and nowhere else. */
export const BENCH_HOST = "127.0.0.1";
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX_LOADER = import.meta.resolve("tsx");
const TICKS_PER_SECOND = clockTicksPerSecond();

export type SubjectProcess = Awaited<ReturnType<typeof startSubject>>;

/**
 * Start a subject in its own process (load generator and subject never share an event loop) on a
 * port the OS picks, and resolve once it says where it listens (the api's `listening` line, which
 * every peer prints too).
 */
export async function startSubject(
  spec: SubjectSpec,
  options: {
    /** Its whole environment but PATH and PORT: nothing else of this process's leaks in. */
    readonly env: Readonly<Record<string, string>>;
    /** Run it on these CPUs (taskset); undefined: wherever the scheduler puts it. */
    readonly pinning?: CpuPinning | undefined;
  },
) {
  const node = ["--import", TSX_LOADER, spec.entry];
  const subject = await spawnReady({
    ...subjectCommand(options.pinning, process.execPath, node),
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", ...options.env, PORT: "0" },
    name: `subject ${spec.id}`,
    timeoutMs: 30_000,
    ready: listeningAddress,
  });
  const pid = subject.child.pid as number;
  return {
    spec,
    /** Base URL, on 127.0.0.1. */
    url: subject.ready.url,
    pid,
    /** CPU time (user + system, every thread) it has used so far, seconds, from /proc/<pid>/stat. */
    cpuSeconds: (): number => readCpuTicks(pid) / TICKS_PER_SECOND,
    /** SIGTERM, then SIGKILL if it is still there after 10 s. */
    async stop(): Promise<void> {
      await subject.stop("SIGTERM", 10_000);
      // What it said on its way, for whoever reads the run (a crash, a warning).
      process.stderr.write(subject.stderr());
    },
  };
}
