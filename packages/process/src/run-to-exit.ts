import { type StartProcessOptions, startProcess } from "./start-process.ts";

export interface RunToExitOptions extends StartProcessOptions {
  /**
   * Once stdout satisfies this, the child gets one SIGTERM: how a server is run for what it
   * prints at start (it listens, then stops). Default: the child ends on its own.
   */
  readonly stopWhen?: (stdout: string) => boolean;
}

/** How a run ended: its exit code (null for a signal) and everything it wrote. */
export interface ProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a program with exactly `env` to its end, for its exit code and output. */
export async function runToExit(options: RunToExitOptions): Promise<ProcessRun> {
  const child = startProcess(options);
  const { stopWhen } = options;
  if (stopWhen !== undefined) {
    child
      .waitForStdout((stdout) => stopWhen(stdout) || undefined)
      .then(
        () => child.stop(),
        // It ended without ever satisfying stopWhen: its exit is the outcome.
        () => {},
      );
  }
  const code = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}
