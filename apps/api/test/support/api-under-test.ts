import { type ChildProcess, spawn } from "node:child_process";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { apiConfigFromEnv, startApi } from "../../src/index.ts";

/**
 * An api configured from environment variables only, either started in-process or spawned from
 * its real entry point (what `pnpm --filter @repo/api start` runs), with its log lines captured.
 */
export interface ApiUnderTest {
  readonly url: string;
  /** Every log line so far, parsed. */
  logs(): Array<Record<string, unknown>>;
  /** Every log line so far, as written. */
  rawLogs(): string;
  /** Resolves once `predicate` holds for the logs (the spawned process's pipe lags a little). */
  waitForLogs(predicate: (logs: Array<Record<string, unknown>>) => boolean): Promise<void>;
  close(): Promise<void>;
}

function parseLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The api in this process, configured exactly as main.ts configures it from `env`. */
export async function startApiFromEnv(env: Record<string, string>): Promise<ApiUnderTest> {
  const config = apiConfigFromEnv({ ...env, NODE_ENV: "test" });
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const api = await startApi({
    verifier: config.verifier,
    log: pino({ level: "debug" }, sink),
    host: "127.0.0.1",
    maxBodyBytes: config.maxBodyBytes,
    streams: { maxPerSubject: config.maxStreamsPerSubject },
    ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
  });
  const logs = () => parseLines(chunks.join(""));
  return {
    url: api.url,
    logs,
    rawLogs: () => chunks.join(""),
    waitForLogs: (predicate) => waitFor(() => predicate(logs())),
    close: () => api.close(),
  };
}

const apiDir = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The real entry point (`node --import tsx src/main.ts`, as `pnpm --filter @repo/api start` runs
 * it) with exactly this environment, on an ephemeral port. Resolves once it logs "listening".
 */
export async function spawnApi(env: Record<string, string>): Promise<ApiUnderTest> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: apiDir,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (data) => {
    stdout += data;
  });
  child.stderr?.on("data", (data) => {
    stderr += data;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api did not start: ${stderr}`)), 15_000);
    const onData = () => {
      const listening = parseLines(stdout).find((line) => line.event === "listening");
      if (typeof listening?.url === "string") {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve(listening.url);
      }
    };
    child.stdout?.on("data", onData);
    void exited.then((code) => reject(new Error(`api exited with ${code}: ${stderr}`)));
  });
  const logs = () => parseLines(stdout);
  let closing: Promise<void> | undefined;
  return {
    url,
    logs,
    rawLogs: () => stdout,
    waitForLogs: (predicate) => waitFor(() => predicate(logs())),
    close() {
      // One SIGTERM; main.ts closes the server and exits 0.
      closing ??= (async () => {
        child.kill("SIGTERM");
        const code = await exited;
        if (code !== 0) throw new Error(`api exited with ${code} on SIGTERM: ${stderr}`);
      })();
      return closing;
    },
  };
}
