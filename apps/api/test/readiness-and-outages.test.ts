import { Writable } from "node:stream";
import type { KeySetPolicy } from "@repo/auth/server";
import { ManualClock } from "@repo/auth/testing";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type RunningApi, startApi } from "../src/index.ts";
import { closedPortUrl } from "./support/closed-port-url.ts";
import { withMetadata } from "./support/resource-metadata.ts";
import { spawnApi } from "./support/start-stack.ts";

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close();
});

interface Started {
  readonly issuer: LocalIssuer;
  readonly api: RunningApi;
  readonly clock: ManualClock;
  readonly logs: () => Array<Record<string, unknown>>;
  token(): Promise<string>;
  get(path: string, token?: string): Promise<{ status: number; body: unknown; headers: Headers }>;
  /** GET /readyz on the metrics listener: readiness with its detail. */
  detail(): Promise<{ status: number; body: unknown }>;
}

/**
 * The real issuer (its JWKS already in `jwksMode` when the api starts) and the real api, whose
 * verifier runs on a manual clock: the tests move time instead of waiting for it.
 */
async function start(
  options: {
    keySet?: Partial<KeySetPolicy>;
    warmKeySet?: boolean;
    jwksMode?: Parameters<LocalIssuer["setJwksMode"]>[0];
  } = {},
): Promise<Started> {
  const issuer = await startLocalIssuer();
  open.push(issuer);
  issuer.setJwksMode(options.jwksMode ?? "ok");
  const clock = new ManualClock();
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const api = await startApi({
    log: pino({ level: "debug" }, sink),
    host: "127.0.0.1",
    warmKeySet: options.warmKeySet ?? false,
    metrics: { port: 0, host: "127.0.0.1" },
    verifier: {
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
      keySet: options.keySet ?? {},
      clock,
    },
  });
  open.push(api);
  return {
    issuer,
    api,
    clock,
    logs: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    token: () => issuer.signToken(),
    async get(path, token) {
      const response = await fetch(`${api.url}${path}`, {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
      return { status: response.status, body: await response.json(), headers: response.headers };
    },
    detail: () => readinessDetail(api),
  };
}

/** GET /readyz on an api's metrics listener, where readiness comes with its detail. */
async function readinessDetail(api: RunningApi): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL("/readyz", api.metricsUrl));
  return { status: response.status, body: await response.json() };
}

const readyz = async (s: Started) => (await s.get("/readyz")).status;

describe("readiness", () => {
  it("becomes ready at start on its own, with no request carrying a token", async () => {
    const s = await start();
    await expect.poll(() => readyz(s)).toBe(200);
    expect((await s.get("/readyz")).body).toEqual({ status: "ready" });
    expect(await s.detail()).toEqual({
      status: 200,
      body: {
        status: "ready",
        keySet: { state: "fresh", keys: 1, consecutiveFailures: 0, lastError: null },
      },
    });
    expect(s.issuer.requestCounts()).toMatchObject({ jwks: 1, token: 0 });
  });

  it("warmed while the JWKS fails, says why, then recovers on its own without any token", async () => {
    const s = await start({ warmKeySet: true, jwksMode: "error", keySet: { cooldownMs: 1_000 } });
    expect(await s.get("/readyz")).toMatchObject({
      status: 503,
      body: { status: "not_ready", reason: "keys_unavailable" },
    });
    // Why, for the operator: on the metrics listener and in the logs.
    expect(await s.detail()).toEqual({
      status: 503,
      body: {
        status: "not_ready",
        reason: "keys_unavailable",
        detail: "signing keys could not be loaded: 1 fetch failed, retrying in the background",
        keySet: {
          state: "empty",
          keys: 0,
          consecutiveFailures: 1,
          lastError: "JWKS endpoint answered HTTP 500",
        },
      },
    });
    expect(s.logs().find((l) => l.event === "key_set_warm_failed")).toBeDefined();
    expect(s.logs().find((l) => l.event === "key_set_refresh_failed")).toMatchObject({
      error: "JWKS endpoint answered HTTP 500",
    });
    s.issuer.setJwksMode("ok");
    // The backoff after one failure is the cooldown ±20%.
    s.clock.advance(1_200);
    await expect.poll(() => readyz(s)).toBe(200);
    expect(s.issuer.requestCounts()).toMatchObject({ jwks: 2, token: 0 });
  });

  it("stays ready through a quiet period longer than max-stale while the JWKS is healthy", async () => {
    const s = await start({
      warmKeySet: true,
      keySet: { maxAgeMs: 1_000, cooldownMs: 100, maxStaleMs: 3_000 },
    });
    expect(await readyz(s)).toBe(200);
    // Five max ages with no traffic at all: the set refreshes itself each time.
    for (let fetches = 2; fetches <= 6; fetches++) {
      s.clock.advance(1_000);
      await vi.waitFor(() => expect(s.issuer.requestCounts().jwks).toBe(fetches));
      await vi.waitFor(() => expect(s.api.verifier.keySet.status().ageMs).toBe(0));
    }
    expect(await s.get("/readyz")).toMatchObject({ status: 200, body: { status: "ready" } });
    expect(await s.detail()).toMatchObject({
      status: 200,
      body: { status: "ready", keySet: { state: "fresh" } },
    });
    expect(s.issuer.requestCounts().token).toBe(0);
  });

  it("is 503 once refreshes have failed past max-stale, saying so, and recovers on its own", async () => {
    const s = await start({
      warmKeySet: true,
      keySet: { maxAgeMs: 100, cooldownMs: 100, maxStaleMs: 1_000 },
    });
    expect(await readyz(s)).toBe(200);
    s.issuer.setJwksMode("error");
    const failures = () => s.api.verifier.keySet.status().consecutiveFailures;
    s.clock.advance(100);
    await vi.waitFor(() => expect(failures()).toBe(1));
    // The retry (100-120 ms later) fails too, and time is then past max-stale.
    s.clock.advance(1_000);
    await vi.waitFor(() => expect(failures()).toBe(2));
    expect(await s.get("/readyz")).toEqual({
      status: 503,
      body: { status: "not_ready", reason: "keys_unavailable" },
      headers: expect.any(Headers),
    });
    expect(await s.detail()).toMatchObject({
      status: 503,
      body: {
        status: "not_ready",
        reason: "keys_unavailable",
        detail:
          "signing keys expired: refreshes have failed past the max-stale bound (2 in a row), retrying in the background",
        keySet: { state: "expired", lastError: "JWKS endpoint answered HTTP 500" },
      },
    });
    s.issuer.setJwksMode("ok");
    s.clock.advance(s.api.verifier.keySet.status().nextAttemptInMs ?? 0);
    await expect.poll(() => readyz(s)).toBe(200);
  });

  it("started as a user starts it, warmed while the JWKS fails, turns ready on its own", async () => {
    const issuer = await startLocalIssuer();
    open.push(issuer);
    issuer.setJwksMode("error");
    const starting = spawnApi({
      AUTHACTION_ISSUER: issuer.issuer,
      AUTHACTION_AUDIENCE: issuer.audience,
      AUTHACTION_JWKS_URI: issuer.jwksUri,
      AUTHACTION_JWKS_WARM: "true",
      // Real time in a separate process: a small cooldown keeps the background retry quick.
      AUTHACTION_JWKS_COOLDOWN_MS: "50",
    });
    // Closed after the test whatever happens to it, so a failure leaves no process behind.
    void starting.then(
      (api) => open.push(api),
      () => {},
    );
    // The warming fetch has been answered 500; the endpoint recovers right after.
    // Spawning tsx is slow on a loaded machine: this waits on the process, not on a timer.
    // (Its background retries, every 50 ms or so, may already have failed too.)
    await vi.waitFor(() => expect(issuer.requestCounts().jwks).toBeGreaterThanOrEqual(1), {
      timeout: 30_000,
    });
    issuer.setJwksMode("ok");
    const api = await starting;
    expect(api.logs.find((line) => line.event === "key_set_warm_failed")).toBeDefined();
    await expect.poll(async () => (await fetch(`${api.url}/readyz`)).status).toBe(200);
    expect(issuer.requestCounts().token).toBe(0);
  }, 45_000);

  it("warming does not stop the api from starting when the tenant is unreachable", async () => {
    const jwksUri = `${await closedPortUrl()}/.well-known/jwks.json`;
    const api: RunningApi = await startApi({
      log: pino({ level: "silent" }),
      host: "127.0.0.1",
      warmKeySet: true,
      metrics: { port: 0, host: "127.0.0.1" },
      verifier: {
        issuer: "https://tenant.example",
        audience: "https://api.example.com",
        jwksUri,
        clock: new ManualClock(),
      },
    });
    open.push(api);
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get("cache-control")).toBe("no-store");
    // The public port says which class of trouble, never the error text, host or port behind it.
    const text = await ready.text();
    expect(JSON.parse(text)).toEqual({ status: "not_ready", reason: "keys_unavailable" });
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|fetch/);
    expect(text).not.toContain(new URL(jwksUri).port);
    expect(await readinessDetail(api)).toMatchObject({
      status: 503,
      body: {
        reason: "keys_unavailable",
        detail: "signing keys could not be loaded: 1 fetch failed, retrying in the background",
        keySet: { lastError: expect.stringContaining("ECONNREFUSED") },
      },
    });
    expect((await fetch(`${api.url}/public`)).status).toBe(200);
  });
});

describe("outages of the JWKS endpoint", () => {
  it("answers a request that needs keys once the fetch times out while the endpoint hangs: 503 with Retry-After", async () => {
    const s = await start({ jwksMode: "hang", keySet: { timeoutMs: 300 } });
    const pending = s.get("/protected", await s.token());
    await vi.waitFor(() => expect(s.issuer.requestCounts().jwks).toBe(1));
    s.clock.advance(300);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.headers.get("www-authenticate")).toBe(withMetadata('Bearer realm="api"', s.api.url));
    expect(res.body).toEqual({
      error: "key_set_unavailable",
      message: "Signing keys are unavailable; try again later",
    });
    const failure = s.logs().find((line) => line.event === "key_set_refresh_failed");
    expect(failure).toMatchObject({ error: "JWKS request timed out", trigger: "warm" });
    s.issuer.setJwksMode("ok");
  });

  it("keeps answering known tokens past max age while the refresh hangs", async () => {
    const s = await start({ warmKeySet: true, keySet: { maxAgeMs: 50, cooldownMs: 20 } });
    const token = await s.token();
    expect((await s.get("/protected", token)).status).toBe(200);
    s.issuer.setJwksMode("hang");
    s.clock.advance(80);
    await vi.waitFor(() => expect(s.issuer.requestCounts().jwks).toBe(2));
    // The refresh hangs until its timeout on the clock, which does not move: nothing may wait on it.
    for (let i = 0; i < 5; i++) {
      expect((await s.get("/protected", token)).status).toBe(200);
    }
    s.issuer.setJwksMode("ok");
  });
});
