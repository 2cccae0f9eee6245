/**
 * What every subject process shares: where the issuer is (from the environment the parent sets),
 * how to tell the parent it listens (one JSON line on stdout), and the IPC messages the parent may
 * send (memory usage after a GC, start and stop of the V8 CPU profiler, a clean exit). None of this
 * adds a route to any subject.
 */
import { writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { Session } from "node:inspector/promises";
import type { AddressInfo } from "node:net";
import { exitOnConfigurationError, parseEnv, urlVar } from "@repo/env";
import { z } from "zod";

/** Every subject listens here and nowhere else. */
export const BENCH_HOST = "127.0.0.1";

export interface SubjectEnv {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  /** The `sub` of the benchmark token, for the ceiling's canned protected answer. */
  readonly tokenSub: string;
}

export type ParentMessage =
  | { type: "memory" }
  | { type: "cpu" }
  | { type: "profile-start" }
  | { type: "profile-stop"; path: string }
  | { type: "exit" };

export type ChildMessage =
  | MemoryReport
  | CpuReport
  | { type: "profile-started" }
  | { type: "profile-written" }
  | { type: "failed"; request: ParentMessage["type"]; message: string };

export interface MemoryReport {
  readonly type: "memory";
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  /** Whether a full GC ran first (the child was started with --expose-gc). */
  readonly gc: boolean;
}

/** process.cpuUsage() of the subject: CPU time it used since it started, microseconds. */
export interface CpuReport {
  readonly type: "cpu";
  readonly user: number;
  readonly system: number;
}

const subjectEnvShape = {
  BENCH_ISSUER: urlVar("the issuer URL the tokens carry, set by the bench"),
  BENCH_AUDIENCE: z.string().describe("the audience the tokens carry, set by the bench"),
  BENCH_JWKS_URI: urlVar("the issuer's JWKS URL, set by the bench"),
  BENCH_TOKEN_SUB: z.string().describe("the benchmark token's sub, set by the bench"),
};

/**
 * What the parent told this subject, from BENCH_ISSUER, BENCH_AUDIENCE, BENCH_JWKS_URI and
 * BENCH_TOKEN_SUB; a missing or malformed one ends the subject with one line naming it.
 */
export function readSubjectEnv(env: NodeJS.ProcessEnv = process.env): SubjectEnv {
  const vars = exitOnConfigurationError("subject", () => parseEnv(subjectEnvShape, env));
  return {
    issuer: vars.BENCH_ISSUER,
    audience: vars.BENCH_AUDIENCE,
    jwksUri: vars.BENCH_JWKS_URI,
    tokenSub: vars.BENCH_TOKEN_SUB,
  };
}

/** Announce the URL to the parent and serve its IPC requests until told to exit. */
export function announceListening(url: string, close: () => Promise<void>): void {
  const exit = () => {
    void close()
      .catch(() => {})
      .finally(() => process.exit(0));
    // A server that will not close must not hold the benchmark.
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.once("SIGTERM", exit);
  process.once("SIGINT", exit);
  const reply = (message: ChildMessage) => process.send?.(message);
  const profiler = new CpuProfiler();
  process.on("message", (message: ParentMessage) => {
    const failed = (error: unknown) =>
      reply({ type: "failed", request: message.type, message: String(error) });
    if (message.type === "exit") exit();
    else if (message.type === "memory") reply(memoryReport());
    else if (message.type === "cpu") reply({ type: "cpu", ...process.cpuUsage() });
    else if (message.type === "profile-start")
      profiler.start().then(() => reply({ type: "profile-started" }), failed);
    else if (message.type === "profile-stop")
      profiler.stop(message.path).then(() => reply({ type: "profile-written" }), failed);
  });
  // The parent going away closes the channel: never outlive it.
  process.on("disconnect", exit);
  process.stdout.write(`${JSON.stringify({ url })}\n`);
}

function memoryReport(): MemoryReport {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
  const usage = process.memoryUsage();
  return {
    type: "memory",
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    gc: gc !== undefined,
  };
}

/**
 * The V8 CPU profiler (what `node --cpu-prof` uses), driven over the inspector so that a profile
 * covers the measured load only, not module loading and the warm-up. Writes a .cpuprofile.
 */
class CpuProfiler {
  #session: Session | undefined;

  async start(): Promise<void> {
    if (this.#session !== undefined) throw new Error("already profiling");
    const session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
    this.#session = session;
  }

  async stop(path: string): Promise<void> {
    const session = this.#session;
    if (session === undefined) throw new Error("not profiling");
    this.#session = undefined;
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    await writeFile(path, JSON.stringify(profile));
  }
}

/**
 * Listen on an ephemeral port of BENCH_HOST, then announce the URL to the parent; closing ends
 * every connection so the subject exits promptly between rounds.
 */
export function listenAndAnnounce(server: Server): void {
  server.listen(0, BENCH_HOST, () => {
    const { port } = server.address() as AddressInfo;
    announceListening(
      `http://${BENCH_HOST}:${port}`,
      () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
  });
}
