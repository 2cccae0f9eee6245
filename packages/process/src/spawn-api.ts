import { fileURLToPath } from "node:url";
import { type ReadyProcess, spawnReady } from "./spawn-ready.ts";
import type { ChildEnv, StartProcessOptions } from "./start-process.ts";

/** The api's folder: its entry point is what `pnpm --filter @repo/api start` runs. */
const API_DIR = fileURLToPath(new URL("../../../apps/api/", import.meta.url));

/** What the api's `listening` log line says about where it listens. */
export interface ApiAddress {
  readonly url: string;
  readonly metricsUrl: string | undefined;
}

export interface SpawnApiOptions {
  /** Node arguments; default the sources' entry point through tsx (`--import tsx src/main.ts`). */
  readonly args?: readonly string[];
  /** Default apps/api. */
  readonly cwd?: string;
  /** Default the running Node (process.execPath). */
  readonly node?: string;
  /** How long to wait for the `listening` line. Default 15 s. */
  readonly timeoutMs?: number;
}

/**
 * How to run the api's entry point: with exactly PATH, NODE_ENV=test (which keeps a developer's
 * .env out), PORT=0 and HOST=127.0.0.1, then `env` (where `undefined` removes one).
 */
export function apiLaunch(env: ChildEnv, options: SpawnApiOptions = {}): StartProcessOptions {
  return {
    command: options.node ?? process.execPath,
    args: options.args ?? ["--import", "tsx", "src/main.ts"],
    cwd: options.cwd ?? API_DIR,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      ...env,
    },
    name: "api",
  };
}

/**
 * The api's real entry point (see apiLaunch), resolved once it logs `listening` (which it does at
 * LOG_LEVEL info or lower).
 */
export function spawnApi(
  env: ChildEnv,
  options: SpawnApiOptions = {},
): Promise<ReadyProcess<ApiAddress>> {
  return spawnReady({
    ...apiLaunch(env, options),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ready: listeningAddress,
  });
}

/**
 * The url (and metricsUrl) of the first whole JSON line with `"event":"listening"`: what the api
 * logs once it listens, and what the benchmark's other subjects print.
 */
export function listeningAddress(stdout: string): ApiAddress | undefined {
  for (const line of stdout.split("\n")) {
    if (!line.includes('"event":"listening"')) continue;
    try {
      const parsed = JSON.parse(line) as { url?: unknown; metricsUrl?: unknown };
      if (typeof parsed.url !== "string") continue;
      return {
        url: parsed.url,
        metricsUrl: typeof parsed.metricsUrl === "string" ? parsed.metricsUrl : undefined,
      };
    } catch {
      // a line still being written
    }
  }
  return undefined;
}
