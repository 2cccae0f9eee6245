import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type CpuPinning, subjectCommand } from "./cpu-pinning.ts";
import { clockTicksPerSecond, readCpuTicks } from "./proc-stat.ts";
import type { SubjectSpec } from "./subject-catalog.ts";

/** Every subject listens here and nowhere else. */
export const BENCH_HOST = "127.0.0.1";
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX_LOADER = import.meta.resolve("tsx");
const TICKS_PER_SECOND = clockTicksPerSecond();

export interface SubjectProcess {
  readonly spec: SubjectSpec;
  /** Base URL, on 127.0.0.1. */
  readonly url: string;
  readonly pid: number;
  /** CPU time (user + system, every thread) it has used so far, seconds, from /proc/<pid>/stat. */
  cpuSeconds(): number;
  /** SIGTERM, then SIGKILL if it is still there after 10 s. */
  stop(): Promise<void>;
}

export interface StartSubjectOptions {
  /** Its whole environment but PATH and PORT: nothing else of this process's leaks in. */
  readonly env: Readonly<Record<string, string>>;
  /** Run it on these CPUs (taskset); undefined: wherever the scheduler puts it. */
  readonly pinning?: CpuPinning | undefined;
}

const live = new Set<ChildProcess>();
// Whatever ends the benchmark, no subject survives it.
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * Start a subject in its own process (load generator and subject never share an event loop) on a
 * free port, and resolve once it answers HTTP. Its output goes to this stderr.
 */
export async function startSubject(
  spec: SubjectSpec,
  options: StartSubjectOptions,
): Promise<SubjectProcess> {
  const port = await freePort();
  const node = ["--import", TSX_LOADER, spec.entry];
  const { command, args } = subjectCommand(options.pinning, process.execPath, node);
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", ...options.env, PORT: String(port) },
    stdio: ["ignore", 2, 2],
  });
  live.add(child);
  let ended: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("error", (error) => {
      ended ??= error.message;
      resolve();
    });
    child.once("exit", (code, signal) => {
      ended ??= `exited (${signal ?? code})`;
      live.delete(child);
      resolve();
    });
  });
  const deadline = Date.now() + 30_000;
  const url = `http://${BENCH_HOST}:${port}`;
  // Any answer, a 404 included, means it listens; a refused connection rejects.
  const answers = () =>
    fetch(url, { method: "HEAD" })
      .then(() => true)
      .catch(() => false);
  while (!(await answers())) {
    if (ended !== undefined || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`subject ${spec.id} never listened on ${port}: ${ended ?? "30 s passed"}`);
    }
    await delay(50);
  }
  const pid = child.pid as number;
  return {
    spec,
    url,
    pid,
    cpuSeconds: () => readCpuTicks(pid) / TICKS_PER_SECOND,
    async stop() {
      if (ended !== undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A port that was free a moment ago on BENCH_HOST (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, BENCH_HOST, () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
    server.once("error", reject);
  });
}
