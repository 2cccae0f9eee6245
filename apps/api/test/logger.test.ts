import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenWithUnknownKid } from "./support/craft-token.ts";
import { scrape } from "./support/scrape-metrics.ts";
import { type SpawnedApi, spawnApi } from "./support/start-stack.ts";

// The real entry point with a log reader that stops reading (a log shipper under pressure, a full
// pipe), flooded as in issue 20: four clients sending tRPC batches of refused calls whose token
// header carries a 5,900-character kid. Logging runs in the background with a bounded buffer, so
// valid requests are served as usual, and the exit still comes.

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});

const KID_LENGTH = 5_900;
const ATTACKERS = 4;
const MEASURED = 40;
const P50_BUDGET_MS = 100;
/** Refused calls per batch (API_MAX_BATCH_SIZE is 10). */
const BATCH = "protected,secret,protected,secret,protected,secret,protected,secret";

/** A token under the 8,192-character limit whose header holds a 5,900-character kid. */
function floodToken(): string {
  const token = tokenWithUnknownKid("k".repeat(KID_LENGTH));
  expect(token.length).toBeLessThan(8_192);
  return token;
}

/** One GET; resolves with its status and how long it took (ms); fails after 10 s. */
function timedGet(
  agent: Agent,
  url: string,
  authorization: string,
): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization } }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }),
      );
      res.on("error", reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer within 10 s: ${url}`)));
    req.on("error", reject).end();
  });
}

/**
 * Four clients sending refused batches one after another until `stop()` (or a bound on their
 * count); `stop()` resolves with the statuses they saw and the errors they met.
 */
function flood(api: SpawnedApi): {
  stop(): Promise<{ statuses: number[]; errors: string[] }>;
  sent(): number;
} {
  const authorization = `Bearer ${floodToken()}`;
  const url = `${api.url}/trpc/${BATCH}?batch=1`;
  let stopped = false;
  let sent = 0;
  const statuses = new Set<number>();
  const errors: string[] = [];
  const agents = Array.from({ length: ATTACKERS }, () => new Agent({ keepAlive: true }));
  const workers = agents.map(async (agent) => {
    try {
      for (let i = 0; i < 50_000 && !stopped; i++) {
        statuses.add((await timedGet(agent, url, authorization)).status);
        sent++;
      }
    } catch (error) {
      errors.push(String(error));
    }
  });
  return {
    sent: () => sent,
    async stop() {
      stopped = true;
      await Promise.all(workers);
      for (const agent of agents) agent.destroy();
      return { statuses: [...statuses], errors };
    },
  };
}

async function droppedLines(api: SpawnedApi): Promise<number> {
  return (await scrape(api.metricsUrl as string)).value("api_log_lines_dropped_total");
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AUTHACTION_ISSUER: issuer.issuer,
    AUTHACTION_AUDIENCE: issuer.audience,
    AUTHACTION_JWKS_URI: issuer.jwksUri,
    AUTHACTION_JWKS_WARM: "true",
    METRICS_PORT: "0",
    // Every refused request gets its line here, so that the flood fills the pipe and then the
    // log's buffer (the limit per reason would otherwise keep the log small; its own test is
    // refusal-rate-limit.test.ts).
    API_LOG_REFUSALS_PER_MINUTE: "1000000",
    ...extra,
  };
}

describe("a log reader that stops reading", () => {
  it("does not stall requests: with stdout full and 4 clients flooding refused batches with 5,900-character kids, valid calls keep a p50 under 100 ms", async () => {
    const api = await spawnApi(env());
    const agent = new Agent({ keepAlive: true });
    const valid = `Bearer ${await issuer.signToken()}`;
    try {
      expect((await timedGet(agent, `${api.url}/trpc/protected`, valid)).status).toBe(200);
      api.pauseOutput();
      const attack = flood(api);
      // The pipe is full and the log's buffer too once lines are being dropped.
      await expect
        .poll(() => droppedLines(api), { timeout: 60_000, interval: 100 })
        .toBeGreaterThan(0);

      const timings: number[] = [];
      for (let i = 0; i < MEASURED; i++) {
        const { status, ms } = await timedGet(agent, `${api.url}/trpc/protected`, valid);
        expect(status).toBe(200);
        timings.push(ms);
      }
      const stillDropping = await droppedLines(api);
      expect(await attack.stop()).toEqual({ statuses: [401], errors: [] });
      expect(
        median(timings),
        `valid calls (ms): ${timings.map(Math.round).join(" ")}`,
      ).toBeLessThan(P50_BUDGET_MS);

      // Read again: the buffer drains, and a line says how many lines were lost meanwhile.
      api.resumeOutput();
      await api.waitForLogs(
        (logs) => logs.some((line) => line.event === "log_lines_dropped"),
        "the log_lines_dropped line",
      );
      const report = api.logs.find((line) => line.event === "log_lines_dropped");
      expect(report?.dropped).toBeGreaterThanOrEqual(stillDropping);
      // The buffer is bounded: what got through is far less than what was refused would have cost.
      expect(api.logs.filter((line) => line.event === "auth_refused").length).toBeLessThan(
        attack.sent(),
      );
      expect(api.rawLogs()).not.toContain("k".repeat(200));
    } finally {
      agent.destroy();
      api.resumeOutput();
      await api.close();
    }
    // The exit waited for the last lines, in order.
    const events = api.logs.map((line) => line.event);
    expect(events.at(-1), api.rawLogs().slice(-2_000)).toBe("stopped");
    expect(events.lastIndexOf("shutdown")).toBeLessThan(events.lastIndexOf("stopped"));
  }, 120_000);

  it("does not hold the exit: SIGTERM with stdout still full exits 0 without waiting for stdout to take the rest", async () => {
    const api = await spawnApi(env());
    try {
      api.pauseOutput();
      const attack = flood(api);
      await expect
        .poll(() => droppedLines(api), { timeout: 60_000, interval: 100 })
        .toBeGreaterThan(0);
      expect(await attack.stop()).toEqual({ statuses: [401], errors: [] });

      const signalled = performance.now();
      api.kill("SIGTERM");
      expect(await api.processExited).toBe(0);
      // The drain is immediate here (no delay, no request in flight); the rest is the log's bound.
      expect(performance.now() - signalled).toBeLessThan(10_000);
    } finally {
      api.resumeOutput();
    }
    expect(await api.exited).toBe(0);
  }, 120_000);
});
