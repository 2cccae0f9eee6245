import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const appDir = fileURLToPath(new URL("../..", import.meta.url));

export interface MainRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run `node --import tsx src/main.ts` with exactly `env` (plus PATH), as a user would.
 * NODE_ENV defaults to "test", which keeps a developer's .env out (loadDotEnv skips it).
 */
export function runMain(env: Record<string, string>): Promise<MainRun> {
  return runEntry("src/main.ts", [], env);
}

/** Run `node --import tsx <file> ...args` of the client app as runMain does (keygen, say). */
export function runEntry(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<MainRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", file, ...args], {
      cwd: appDir,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
