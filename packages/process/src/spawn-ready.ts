import { type RunningProcess, type StartProcessOptions, startProcess } from "./start-process.ts";

export interface SpawnReadyOptions<T> extends StartProcessOptions {
  /**
   * Called with everything the child has written to stdout so far, after each chunk: a value
   * means ready (the promise resolves with it), undefined means not yet.
   */
  readonly ready: (stdout: string) => T | undefined;
  /** How long to wait for `ready`. Default 15 s. */
  readonly timeoutMs?: number;
}

/** A running child that said it is ready. */
export interface ReadyProcess<T> extends RunningProcess {
  /** What `ready` returned. */
  readonly ready: T;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Spawn a program and resolve once `ready` finds what it waits for in its stdout. Rejects, with the
 * child's stderr, if it exits first or is not ready in time (it is then killed).
 */
export async function spawnReady<T>(options: SpawnReadyOptions<T>): Promise<ReadyProcess<T>> {
  const child = startProcess(options);
  try {
    const ready = await child.waitForStdout(options.ready, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return { ...child, ready };
  } catch (error) {
    child.child.kill("SIGKILL");
    throw error;
  }
}
