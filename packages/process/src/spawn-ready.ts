import { type ChildProcess, spawn } from "node:child_process";

/** Variables for the child: exactly these, where `undefined` leaves one out. Nothing is inherited. */
export type ChildEnv = Readonly<Record<string, string | undefined>>;

export interface SpawnReadyOptions<T> {
  /** The program, e.g. process.execPath. */
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env: ChildEnv;
  /**
   * Called with everything the child has written to stdout so far, after each chunk: a value
   * means ready (the promise resolves with it), undefined means not yet.
   */
  readonly ready: (stdout: string) => T | undefined;
  /** How long to wait for `ready`. Default 15 s. */
  readonly timeoutMs?: number;
  /** Named in errors. Default: the last argument. */
  readonly name?: string;
}

export interface ReadyProcess<T> {
  readonly child: ChildProcess;
  /** What `ready` returned. */
  readonly ready: T;
  stdout(): string;
  stderr(): string;
  /** The exit code once the child has exited and its pipes are drained (null for a signal). */
  readonly exited: Promise<number | null>;
  /** Send `signal` (default SIGTERM) once and wait for the exit; the code it exited with. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Spawn a program and resolve once `ready` finds what it waits for in its stdout. Rejects, with the
 * child's stderr, if it exits first or is not ready in time (it is then killed). A child still
 * running when this process exits is killed, so a failed test leaves nothing behind.
 */
export async function spawnReady<T>(options: SpawnReadyOptions<T>): Promise<ReadyProcess<T>> {
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
  });
  child.stderr?.setEncoding("utf8").on("data", (data: string) => {
    stderr += data;
  });
  // "close", not "exit": the last lines can still be in the pipes when the process has exited.
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} was not ready within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    const check = () => {
      const value = options.ready(stdout);
      if (value === undefined) return;
      clearTimeout(timer);
      child.stdout?.off("data", check);
      resolve(value);
    };
    child.stdout?.on("data", check);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready: ${stderr}`));
    });
  });
  let stopping: Promise<number | null> | undefined;
  return {
    child,
    ready,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    stop(signal = "SIGTERM") {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      })();
      return stopping;
    },
  };
}
