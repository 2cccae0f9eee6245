import { fileURLToPath } from "node:url";
import { type ChildEnv, type ProcessRun, runToExit } from "@repo/process";

const appDir = fileURLToPath(new URL("../..", import.meta.url));

export type MainRun = ProcessRun;

/**
 * Run the client's entry point, `node --import tsx src/main.ts` (or `args`, e.g. a built
 * dist/main.js), to its end with exactly PATH, NODE_ENV=test and then `env`, where `undefined`
 * removes one. NODE_ENV=test keeps a developer's .env out (loadDotEnv skips it).
 */
export function runMain(
  env: ChildEnv,
  args: readonly string[] = ["--import", "tsx", "src/main.ts"],
): Promise<MainRun> {
  return runToExit({
    command: process.execPath,
    args,
    cwd: appDir,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...env },
    name: "client",
  });
}

/** Run `node --import tsx <file> ...args` of the client app as runMain does (keygen, say). */
export function runEntry(file: string, args: readonly string[], env: ChildEnv): Promise<MainRun> {
  return runMain(env, ["--import", "tsx", file, ...args]);
}
