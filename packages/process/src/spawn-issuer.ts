import { fileURLToPath } from "node:url";
import { type ReadyProcess, spawnReady } from "./spawn-ready.ts";
import type { ChildEnv, StartProcessOptions } from "./start-process.ts";

/** The local issuer's folder: its entry point is what `pnpm --filter @repo/issuer start` runs. */
const ISSUER_DIR = fileURLToPath(new URL("../../issuer/", import.meta.url));

/** What the local issuer's start banner says about where it answers. */
export interface IssuerAddress {
  readonly url: string;
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  readonly tokenUrl: string;
}

export interface SpawnIssuerOptions {
  /** Node arguments; default the sources' entry point through tsx (`--import tsx src/main.ts`). */
  readonly args?: readonly string[];
  /** Default packages/issuer. */
  readonly cwd?: string;
  /** How long to wait for the banner. Default 15 s. */
  readonly timeoutMs?: number;
}

/**
 * How to run the local issuer's entry point: with exactly PATH, NODE_ENV=test (which keeps a
 * developer's .env out), ISSUER_PORT=0 and ISSUER_HOST=127.0.0.1, then `env` (where `undefined`
 * removes one).
 */
export function issuerLaunch(env: ChildEnv, options: SpawnIssuerOptions = {}): StartProcessOptions {
  return {
    command: process.execPath,
    args: options.args ?? ["--import", "tsx", "src/main.ts"],
    cwd: options.cwd ?? ISSUER_DIR,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "test",
      ISSUER_PORT: "0",
      ISSUER_HOST: "127.0.0.1",
      ...env,
    },
    name: "issuer",
  };
}

/** The local issuer's real entry point (see issuerLaunch), resolved once its banner is out. */
export function spawnIssuer(
  env: ChildEnv,
  options: SpawnIssuerOptions = {},
): Promise<ReadyProcess<IssuerAddress>> {
  return spawnReady({
    ...issuerLaunch(env, options),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
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
