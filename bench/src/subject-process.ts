import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type CpuPinning, subjectCommand } from "./cpu-pinning.ts";
import type { SubjectSpec } from "./subject-catalog.ts";
import type {
  ChildMessage,
  CpuReport,
  MemoryReport,
  ParentMessage,
} from "./subjects/subject-runtime.ts";

export interface SubjectProcess {
  readonly spec: SubjectSpec;
  /** Base URL, always on 127.0.0.1. */
  readonly url: string;
  readonly pid: number;
  /** Memory of the child after a full GC (when started with --expose-gc). */
  memory(): Promise<MemoryReport>;
  /** CPU time (user + system) the child used since it started, microseconds. */
  cpuTime(): Promise<number>;
  /** Start the child's V8 CPU profiler. */
  startProfile(): Promise<void>;
  /** Stop it and have the child write the .cpuprofile to `path`. */
  stopProfile(path: string): Promise<void>;
  /** Ask the child to exit cleanly, then kill it if it lingers. */
  stop(): Promise<void>;
}

export interface StartSubjectOptions {
  /** Variables the subject reads (BENCH_ISSUER, ...), added to this process's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Extra node flags, e.g. --expose-gc. */
  readonly nodeFlags?: readonly string[];
  /** Default 30 s: covers tsx compiling the subject on a cold cache. */
  readonly startTimeoutMs?: number;
  /** Run it on these CPUs (taskset); undefined: wherever the scheduler puts it. */
  readonly pinning?: CpuPinning | undefined;
  /** The node binary it runs on. Default: this process's (process.execPath). */
  readonly node?: string | undefined;
}

const TSX_LOADER = import.meta.resolve("tsx");
const SUBJECTS_DIR = new URL("./subjects/", import.meta.url);
const live = new Set<ChildProcess>();

// Whatever ends the benchmark, no subject survives it.
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * Run a subject in its own process (load generation and subject never share an event loop) and
 * resolve once it printed its URL.
 */
export function startSubject(
  spec: SubjectSpec,
  options: StartSubjectOptions,
): Promise<SubjectProcess> {
  const file = fileURLToPath(new URL(spec.module, SUBJECTS_DIR));
  const { command, args } = subjectCommand(options.pinning, options.node ?? process.execPath, [
    ...(options.nodeFlags ?? []),
    "--import",
    TSX_LOADER,
    file,
  ]);
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
    env: { ...process.env, ...options.env },
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      live.delete(child);
      resolve();
    });
  });

  return new Promise<SubjectProcess>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`subject ${spec.id}: ${reason}`));
    };
    const timer = setTimeout(
      () => fail("did not announce its URL in time"),
      options.startTimeoutMs ?? 30_000,
    );
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`exited before listening (${signal ?? code})`);
    child.once("exit", onEarlyExit);
    child.once("error", (error) => fail(error.message));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      let url: unknown;
      try {
        url = (JSON.parse(line) as { url?: unknown }).url;
      } catch {
        process.stderr.write(`[${spec.id}] ${line}\n`);
        return;
      }
      if (typeof url !== "string" || !url.startsWith("http://127.0.0.1:")) {
        fail(`announced an unexpected URL: ${line}`);
        return;
      }
      clearTimeout(timer);
      child.off("exit", onEarlyExit);
      lines.removeAllListeners("line");
      lines.on("line", (other) => process.stderr.write(`[${spec.id}] ${other}\n`));
      resolve(handle(spec, url, child, exited));
    });
  });
}

function handle(
  spec: SubjectSpec,
  url: string,
  child: ChildProcess,
  exited: Promise<void>,
): SubjectProcess {
  const send = (message: ParentMessage) => {
    if (child.connected) child.send(message);
  };
  /** Send a request and wait for the reply of the expected type (or the child's failure). */
  const ask = <T extends ChildMessage["type"]>(
    message: ParentMessage,
    expected: T,
  ): Promise<Extract<ChildMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (reply: ChildMessage) => {
        if (reply.type === "failed" && reply.request === message.type) {
          done();
          reject(new Error(`${spec.id}: ${message.type} failed: ${reply.message}`));
        } else if (reply.type === expected) {
          done();
          resolve(reply as Extract<ChildMessage, { type: T }>);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${spec.id}: no answer to ${message.type}`));
      }, 30_000);
      const done = () => {
        clearTimeout(timer);
        child.off("message", onMessage);
      };
      child.on("message", onMessage);
      send(message);
    });
  return {
    spec,
    url,
    pid: child.pid as number,
    memory: () => ask({ type: "memory" }, "memory"),
    cpuTime: async () => {
      const report: CpuReport = await ask({ type: "cpu" }, "cpu");
      return report.user + report.system;
    },
    startProfile: async () => {
      await ask({ type: "profile-start" }, "profile-started");
    },
    stopProfile: async (path) => {
      await ask({ type: "profile-stop", path }, "profile-written");
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      send({ type: "exit" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
