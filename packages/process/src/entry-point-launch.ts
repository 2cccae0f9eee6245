import type { ChildEnv, StartProcessOptions } from "./start-process.ts";

/** One workspace's entry point: the name its errors carry, its folder, how it listens on port 0. */
export interface EntryPoint {
  readonly name: string;
  readonly dir: string;
  /** The variables that put it on an ephemeral port on loopback. */
  readonly listenEnv: ChildEnv;
}

/** How to run an entry point, and how long to wait for it to say it is ready. */
export interface EntryPointOptions {
  /** Node arguments; default the sources' entry point through tsx (`--import tsx src/main.ts`). */
  readonly args?: readonly string[];
  /** Default the workspace's own folder. */
  readonly cwd?: string;
  /** Default the running Node (process.execPath). */
  readonly node?: string;
  /** How long to wait for its ready line. Default 15 s. */
  readonly timeoutMs?: number;
}

/**
 * How to run `entry` in a test: with exactly PATH, NODE_ENV=test (which keeps a developer's .env
 * out) and its listenEnv, then `env` (where `undefined` removes one).
 */
export function entryPointLaunch(
  entry: EntryPoint,
  env: ChildEnv,
  options: EntryPointOptions = {},
): StartProcessOptions {
  return {
    command: options.node ?? process.execPath,
    args: options.args ?? ["--import", "tsx", "src/main.ts"],
    cwd: options.cwd ?? entry.dir,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...entry.listenEnv, ...env },
    name: entry.name,
  };
}
