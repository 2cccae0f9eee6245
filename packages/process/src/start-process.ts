import { type ChildProcess, spawn } from "node:child_process";

/** Variables for the child: exactly these, where `undefined` leaves one out. Nothing is inherited. */
export type ChildEnv = Readonly<Record<string, string | undefined>>;

/** What to run: a program, its arguments, where, with which variables. */
export interface StartProcessOptions {
  /** The program, e.g. process.execPath. */
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env: ChildEnv;
  /** Named in errors. Default: the last argument. */
  readonly name?: string;
  /**
   * Also copy the child's stdout and stderr to this process's as they arrive, for a script a
   * person watches. Default false.
   */
  readonly echo?: boolean;
}

/** A started child whose output is being read. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout so far. */
  stdout(): string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** The exit code once the child has exited and its pipes are drained (null for a signal). */
  readonly exited: Promise<number | null>;
  /** The exit code as soon as the child has exited, its output read or not. */
  readonly processExited: Promise<number | null>;
  /**
   * Resolves with the first value `find` returns for the stdout so far (checked now and after
   * each chunk). Rejects, naming the child and quoting its stderr, if it exits first or
   * `timeoutMs` passes (no limit when undefined).
   */
  waitForStdout<T>(find: (stdout: string) => T | undefined, timeoutMs?: number): Promise<T>;
  /**
   * Send `signal` (default SIGTERM) once and wait for the exit; SIGKILL if it is still there
   * after `killAfterMs` (default 15 s), so a child that ignores the signal cannot hang its caller.
   * Resolves with the exit code (null after a kill).
   */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<number | null>;
}

const DEFAULT_KILL_AFTER_MS = 15_000;

/**
 * Spawn a program with exactly `env`, its stdout and stderr read into memory. A child still
 * running when this process exits is killed, so a failed test or script leaves nothing behind.
 */
export function startProcess(options: StartProcessOptions): RunningProcess {
  const name = options.name ?? options.args.at(-1) ?? options.command;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env)) {
    if (value !== undefined) env[key] = value;
  }
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  child.once("exit", () => process.off("exit", kill));
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (data: string) => {
    stdout += data;
    if (options.echo === true) process.stdout.write(data);
  });
  child.stderr?.setEncoding("utf8").on("data", (data: string) => {
    stderr += data;
    if (options.echo === true) process.stderr.write(data);
  });
  // A spawn failure (no such program) ends in "close" too, with a negative errno as its code.
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  // "close", not "exit": the last lines can still be in the pipes when the process has exited.
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  const processExited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  let stopping: Promise<number | null> | undefined;
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    processExited,
    waitForStdout(find, timeoutMs) {
      return new Promise((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const settle = () => {
          clearTimeout(timer);
          child.stdout?.off("data", check);
        };
        const check = () => {
          const value = find(stdout);
          if (value === undefined) return;
          settle();
          resolve(value);
        };
        if (timeoutMs !== undefined) {
          timer = setTimeout(() => {
            settle();
            reject(new Error(`${name} was not ready within ${timeoutMs} ms: ${stderr}`));
          }, timeoutMs);
        }
        child.stdout?.on("data", check);
        void exited.then((code) => {
          settle();
          const why = spawnError?.message ?? `exited with ${code}`;
          reject(new Error(`${name} ${why} before it was ready: ${stderr}`));
        });
        check();
      });
    },
    stop(signal = "SIGTERM", killAfterMs = DEFAULT_KILL_AFTER_MS) {
      stopping ??= (async () => {
        if (!running()) return exited;
        child.kill(signal);
        const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      })();
      return stopping;
    },
  };
}
