import { fileURLToPath } from "node:url";
import { type EntryPoint, type EntryPointOptions, entryPointLaunch } from "./entry-point-launch.ts";
import { type ReadyProcess, spawnReady } from "./spawn-ready.ts";
import type { ChildEnv, StartProcessOptions } from "./start-process.ts";

/** The local issuer's entry point, what `pnpm --filter @repo/issuer start` runs. */
const ISSUER: EntryPoint = {
  name: "issuer",
  dir: fileURLToPath(new URL("../../issuer/", import.meta.url)),
  listenEnv: { ISSUER_PORT: "0", ISSUER_HOST: "127.0.0.1" },
};

/** What the local issuer's start banner says about where it answers. */
export interface IssuerAddress {
  readonly url: string;
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  readonly tokenUrl: string;
}

/** Default cwd packages/issuer; timeoutMs waits for the banner. */
export type SpawnIssuerOptions = EntryPointOptions;

/**
 * How to run the local issuer's entry point (see entryPointLaunch), with ISSUER_PORT=0 and
 * ISSUER_HOST=127.0.0.1.
 */
export function issuerLaunch(env: ChildEnv, options: SpawnIssuerOptions = {}): StartProcessOptions {
  return entryPointLaunch(ISSUER, env, options);
}

/** The local issuer's real entry point (see issuerLaunch), resolved once its banner is out. */
export function spawnIssuer(
  env: ChildEnv,
  options: SpawnIssuerOptions = {},
): Promise<ReadyProcess<IssuerAddress>> {
  return spawnReady({
    ...issuerLaunch(env, options),
    timeoutMs: options.timeoutMs,
    ready: issuerAddress,
  });
}

/** The addresses the issuer's banner names, once its lines are all whole. */
export function issuerAddress(stdout: string): IssuerAddress | undefined {
  const field = (label: string) => new RegExp(`^ +${label} +(\\S+)\\n`, "m").exec(stdout)?.[1];
  const [url, issuer, audience, jwksUri, tokenUrl] = [
    "url",
    "issuer",
    "audience",
    "jwks uri",
    "token url",
  ].map(field);
  if (
    url === undefined ||
    issuer === undefined ||
    audience === undefined ||
    jwksUri === undefined ||
    tokenUrl === undefined
  ) {
    return undefined;
  }
  return { url, issuer, audience, jwksUri, tokenUrl };
}
