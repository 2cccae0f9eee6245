import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface SpawnedApi {
  /** Base URL from the api's "listening" log line. */
  readonly url: string;
  /** Every JSON log line written so far, parsed. */
  logs(): Array<Record<string, unknown>>;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Start the api as a separate process (`command args`, in `cwd`, with exactly `env` plus PATH) and
 * resolve with its URL once it logs `listening`; reject with its output if it exits first.
 */
export async function spawnApi(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<SpawnedApi> {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  // Complete lines only: a chunk may end in the middle of one.
  const logs = () =>
    stdout
      .split("\n")
      .slice(0, -1)
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const listening = logs().find((line) => line.event === "listening");
      if (listening !== undefined) resolve(String(listening.url));
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`api exited with ${code} before listening:\n${stdout}\n${stderr}`)),
    );
  });
  return { url, logs, stderr: () => stderr, stop: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}
