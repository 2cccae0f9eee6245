import { fileURLToPath } from "node:url";
import { type EntryPoint, type EntryPointOptions, entryPointLaunch } from "./entry-point-launch.ts";
import { type ReadyProcess, spawnReady } from "./spawn-ready.ts";
import type { ChildEnv, StartProcessOptions } from "./start-process.ts";

/** The api's entry point, what `pnpm --filter @repo/api start` runs. */
const API: EntryPoint = {
  name: "api",
  dir: fileURLToPath(new URL("../../../apps/api/", import.meta.url)),
  listenEnv: { PORT: "0", HOST: "127.0.0.1" },
};

/** What the api's `listening` log line says about where it listens. */
export interface ApiAddress {
  readonly url: string;
  readonly metricsUrl: string | undefined;
}

/** Default cwd apps/api; timeoutMs waits for the `listening` line. */
export type SpawnApiOptions = EntryPointOptions;

/** How to run the api's entry point (see entryPointLaunch), with PORT=0 and HOST=127.0.0.1. */
export function apiLaunch(env: ChildEnv, options: SpawnApiOptions = {}): StartProcessOptions {
  return entryPointLaunch(API, env, options);
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
    timeoutMs: options.timeoutMs,
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
