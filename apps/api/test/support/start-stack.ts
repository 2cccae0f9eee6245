import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import type { AccessTokenVerifier, AccessTokenVerifierOptions } from "@repo/auth/server";
import {
  type JwksMode,
  type LocalIssuer,
  type LocalIssuerOptions,
  startLocalIssuer,
} from "@repo/issuer";
import {
  apiLaunch,
  type ChildEnv,
  type ProcessRun,
  runToExit,
  spawnApi as spawnReadyApi,
} from "@repo/process";
import type { JWK } from "jose";
import { pino } from "pino";
import { vi } from "vitest";
import {
  apiConfigFromEnv,
  type RunningApi,
  type StartApiOptions,
  startApi,
} from "../../src/index.ts";

/**
 * Everything the api's tests start, in one place. Every server listens on port 0, on 127.0.0.1
 * unless an in-process api is given another `host`.
 *
 * - `startStack(options)`: the real local issuer and the api wired to it, in-process (default) or
 *   as the real entry point (`entryPoint: true`). The common case.
 * - `startApiInProcess(options)`: the api in this process with any `startApi` options, including
 *   verifier options no environment variable can express.
 * - `startApiFromEnv(env)`: the api in this process, configured from `env` exactly as main.ts is.
 * - `spawnApi(env, launch?)`: the real entry point (`node --import tsx src/main.ts`, what
 *   `pnpm --filter @repo/api start` runs, or another `launch`, e.g. the built image's CMD) with
 *   exactly `env`, resolved once it listens.
 * - `runEntryPoint(env, launch?)`: the entry point run to its end (stopped by SIGTERM once it
 *   listens), for what it prints and its exit code.
 * - `startKeyServer(keys)`: a JWKS server that counts its requests.
 * - `get(target, path, authorization?)`: one GET through fetch, the body parsed when it is JSON.
 *
 * Each api comes as an `ApiUnderTest`: its URL, its log lines, and `close()`; one in this process
 * (`InProcessApi`) also gives its port and its verifier.
 */

/** One structured (pino) log line. */
export type LogLine = Record<string, unknown>;

export interface ApiUnderTest {
  /** Base URL, e.g. http://127.0.0.1:54321 */
  readonly url: string;
  /** Where /metrics is served, when metrics are on. */
  readonly metricsUrl: string | undefined;
  /** Every log line so far, parsed. */
  readonly logs: LogLine[];
  /** Every log line so far, as written (to prove what it never contains). */
  rawLogs(): string;
  /**
   * Resolves once `predicate` holds for the logs (a spawned process's pipe lags a little behind
   * its answers); rejects with `description` after 5 s.
   */
  waitForLogs(predicate: (logs: LogLine[]) => boolean, description?: string): Promise<void>;
  /** Stop it; a spawned api gets one SIGTERM and must exit 0. Idempotent. */
  close(): Promise<void>;
}

/** An api in this process: also its port and the verifier it built (to reach its key set). */
export interface InProcessApi extends ApiUnderTest {
  readonly port: number;
  readonly verifier: AccessTokenVerifier;
  /** The running api itself (graceful shutdown, listen address). */
  readonly running: RunningApi;
  /** The RFC 9728 metadata URL its challenges name. */
  readonly resourceMetadataUrl: string;
  /** Its open subscription streams. */
  readonly streams: RunningApi["streams"];
}

/** The spawned entry point, which can also be signalled and watched. */
export interface SpawnedApi extends ApiUnderTest {
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Send a signal to the process. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code once the process has exited and its output has all been read. */
  readonly exited: Promise<number | null>;
  /** Resolves with the exit code as soon as the process has exited, its output read or not. */
  readonly processExited: Promise<number | null>;
  /**
   * Stop reading its stdout, as a stalled log shipper does: the pipe fills up, and then the api's
   * writes to it are refused until `resumeOutput()`.
   */
  pauseOutput(): void;
  /** Read its stdout again. */
  resumeOutput(): void;
}

const LOG_WAIT = { timeout: 5_000, interval: 5 } as const;

function parseLines(text: string): LogLine[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

function waitForLogs(
  logs: () => LogLine[],
  predicate: (logs: LogLine[]) => boolean,
  description = "the expected log lines",
): Promise<void> {
  return vi.waitFor(() => {
    if (!predicate(logs())) throw new Error(`timed out waiting for ${description}`);
  }, LOG_WAIT);
}

/** A pino logger at debug level writing into memory: its text, and its lines parsed. */
export function memoryLogger() {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const text = () => chunks.join("");
  return { log: pino({ level: "debug" }, sink), text, lines: () => parseLines(text()) };
}

type InProcessOptions = Omit<StartApiOptions, "log" | "host" | "port"> & {
  /** Default 127.0.0.1. */
  readonly host?: string;
};

/** The api in this process with these options (any verifier option, not only what env can say). */
export async function startApiInProcess(options: InProcessOptions): Promise<InProcessApi> {
  const memory = memoryLogger();
  const api = await startApi({ ...options, log: memory.log, host: options.host ?? "127.0.0.1" });
  const logs = () => parseLines(memory.text());
  return {
    url: api.url,
    metricsUrl: api.metricsUrl,
    port: api.port,
    verifier: api.verifier,
    running: api,
    resourceMetadataUrl: api.resourceMetadataUrl,
    streams: api.streams,
    get logs() {
      return logs();
    },
    rawLogs: memory.text,
    waitForLogs: (predicate, description) => waitForLogs(logs, predicate, description),
    close: () => api.close(),
  };
}

/** The api in this process, configured exactly as main.ts configures it from `env`. */
export function startApiFromEnv(
  env: Record<string, string>,
  options: { readonly fastPath?: boolean } = {},
): Promise<InProcessApi> {
  const config = apiConfigFromEnv({ ...env, NODE_ENV: "test" });
  return startApiInProcess({
    verifier: config.verifier,
    maxBodyBytes: config.maxBodyBytes,
    warmKeySet: config.warmKeySet,
    metrics: config.metrics,
    limits: config.http,
    streams: { maxPerSubject: config.maxStreamsPerSubject },
    refusalLog: { linesPerReason: config.logRefusalsPerMinute },
    dpop: config.dpop,
    ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
    ...(options.fastPath === undefined ? {} : { fastPath: options.fastPath }),
  });
}

/** How to start the api: node with `args`, in `cwd` (default: the sources' entry point). */
export interface EntryPointLaunch {
  readonly args: readonly string[];
  readonly cwd: string;
}

/**
 * Variables for a spawned api: PATH, NODE_ENV=test, PORT=0, HOST=127.0.0.1, then `env`, where
 * `undefined` removes one (a test of what happens with NODE_ENV unset). Nothing else is inherited.
 */
export type EntryPointEnv = ChildEnv;

/**
 * The real entry point (`launch`, by default what `pnpm --filter @repo/api start` runs) with
 * exactly `env` (see EntryPointEnv), resolved once it logs "listening". Rejects with its stderr if
 * it exits first or does not listen within 15 s.
 */
export async function spawnApi(env: EntryPointEnv, launch?: EntryPointLaunch): Promise<SpawnedApi> {
  const api = await spawnReadyApi(env, launch ?? {});
  const logs = () => parseLines(api.stdout());
  let closing: Promise<void> | undefined;
  return {
    url: api.ready.url,
    metricsUrl: api.ready.metricsUrl,
    get logs() {
      return logs();
    },
    rawLogs: api.stdout,
    stderr: api.stderr,
    kill: (signal) => api.child.kill(signal),
    exited: api.exited,
    processExited: api.processExited,
    pauseOutput: () => api.child.stdout?.pause(),
    resumeOutput: () => api.child.stdout?.resume(),
    waitForLogs: (predicate, description) => waitForLogs(logs, predicate, description),
    close() {
      // One SIGTERM; main.ts closes the server and exits 0.
      closing ??= (async () => {
        const code = await api.stop();
        if (code !== 0) throw new Error(`api exited with ${code} on SIGTERM: ${api.stderr()}`);
      })();
      return closing;
    },
  };
}

/**
 * Run the real entry point (by default the sources', or another `launch`, e.g. a built
 * dist/main.js) with exactly `env` (see EntryPointEnv) to its end: a configuration it refuses
 * makes it exit on its own; once it logs "listening" it gets one SIGTERM.
 */
export function runEntryPoint(env: EntryPointEnv, launch?: EntryPointLaunch): Promise<ProcessRun> {
  return runToExit({
    ...apiLaunch(env, launch ?? {}),
    stopWhen: (stdout) => stdout.includes('"event":"listening"'),
  });
}

export interface Stack<Api extends ApiUnderTest = InProcessApi> {
  readonly issuer: LocalIssuer;
  readonly api: Api;
  /** The api's log lines so far, parsed. */
  readonly logs: LogLine[];
  /** The api's raw log text. */
  rawLogs(): string;
  /** A token from the issuer's real token endpoint (client credentials, JSON body). */
  token(clientId?: string): Promise<string>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Verifier options over the issuer's issuer, audience and JWKS URI (in-process only). */
  readonly verifier?: Partial<AccessTokenVerifierOptions>;
  readonly issuer?: LocalIssuerOptions;
  /** How the issuer's JWKS endpoint answers from the start (the api fetches it as it starts). */
  readonly jwksMode?: JwksMode;
  /** Other options of the in-process api. */
  readonly api?: Omit<InProcessOptions, "verifier">;
  /**
   * Start the real entry point instead, configured by environment variables only: these, over
   * AUTHACTION_ISSUER and AUTHACTION_AUDIENCE of the issuer.
   */
  readonly entryPoint?: boolean | { readonly env: Record<string, string> };
}

const CLIENT_SECRETS: Record<string, string> = {
  "demo-client": "demo-secret",
  "limited-client": "limited-secret",
};

/** The real local issuer and the api wired to it, both on ephemeral ports, logs captured. */
export function startStack(
  options?: StackOptions & { readonly entryPoint?: false },
): Promise<Stack>;
export function startStack(options: StackOptions): Promise<Stack<ApiUnderTest>>;
export async function startStack(options: StackOptions = {}): Promise<Stack<ApiUnderTest>> {
  const issuer = await startLocalIssuer(options.issuer);
  if (options.jwksMode !== undefined) issuer.setJwksMode(options.jwksMode);
  let api: ApiUnderTest;
  try {
    if (options.entryPoint) {
      if (options.verifier !== undefined || options.api !== undefined) {
        throw new TypeError("an entry-point stack is configured by environment variables only");
      }
      api = await spawnApi({
        AUTHACTION_ISSUER: issuer.issuer,
        AUTHACTION_AUDIENCE: issuer.audience,
        ...(options.entryPoint === true ? {} : options.entryPoint.env),
      });
    } else {
      api = await startApiInProcess({
        ...options.api,
        verifier: {
          issuer: issuer.issuer,
          audience: issuer.audience,
          jwksUri: issuer.jwksUri,
          ...options.verifier,
        },
      });
    }
  } catch (error) {
    await issuer.close();
    throw error;
  }
  return {
    issuer,
    api,
    get logs() {
      return api.logs;
    },
    rawLogs: () => api.rawLogs(),
    async token(clientId = "demo-client") {
      const response = await fetch(issuer.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_id: clientId,
          client_secret: CLIENT_SECRETS[clientId],
          audience: issuer.audience,
          grant_type: "client_credentials",
        }),
      });
      if (!response.ok) throw new Error(`token request failed: ${response.status}`);
      return ((await response.json()) as { access_token: string }).access_token;
    },
    async close() {
      await api.close();
      await issuer.close();
    },
  };
}

/**
 * A tiny JWKS server that answers every request with one key set and records the paths asked.
 * Two uses: a tenant whose JWKS holds keys a verifier must ignore (`use: enc`, RSA 1024, ...), and
 * a trap that a token's `jku`/`x5u` header points at, which must never be asked anything.
 */
export interface KeyServer {
  readonly url: string;
  /** `${url}/.well-known/jwks.json` (any path answers the same). */
  readonly jwksUri: string;
  hits(): number;
  /** Paths requested, in order (to say what a verifier fetched, if it ever did). */
  paths(): readonly string[];
  close(): Promise<void>;
}

export async function startKeyServer(keys: readonly JWK[]): Promise<KeyServer> {
  const paths: string[] = [];
  const body = JSON.stringify({ keys });
  const server = createServer((req, res) => {
    paths.push(req.url ?? "");
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    jwksUri: `${url}/.well-known/jwks.json`,
    hits: () => paths.length,
    paths: () => [...paths],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** GET `path` of an api (a Stack, an ApiUnderTest or a base URL), with an optional Authorization. */
export async function get(
  target: { readonly api: { readonly url: string } } | { readonly url: string } | string,
  path: string,
  authorization?: string,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const base = typeof target === "string" ? target : "api" in target ? target.api.url : target.url;
  const response = await fetch(`${base}${path}`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}
