import { createServer, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { apiConfigFromEnv, type RunningApi, startApi } from "../src/index.ts";
import { scrape } from "./support/scrape-metrics.ts";
import { type ApiUnderTest, spawnApi } from "./support/start-stack.ts";

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(running.splice(0).map((r) => r.close()));
});

const TENANT = { AUTHACTION_ISSUER: "http://127.0.0.1:9", AUTHACTION_AUDIENCE: "a" };

async function api(metrics?: { port: number; host?: string }): Promise<RunningApi> {
  const started = await startApi({
    log: pino({ level: "silent" }),
    host: "127.0.0.1",
    verifier: { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri },
    metrics,
  });
  running.push(started);
  return started;
}

describe("metrics configuration", () => {
  it("is off when METRICS_PORT is unset, METRICS_HOST alone included", () => {
    expect(apiConfigFromEnv(TENANT).metrics).toBeUndefined();
    expect(apiConfigFromEnv({ ...TENANT, METRICS_HOST: "0.0.0.0" }).metrics).toBeUndefined();
  });

  it("reads METRICS_PORT and METRICS_HOST, leaving the host to the listener's default", () => {
    expect(apiConfigFromEnv({ ...TENANT, METRICS_PORT: "9464" }).metrics).toEqual({
      port: 9464,
      host: undefined,
    });
    expect(
      apiConfigFromEnv({ ...TENANT, METRICS_PORT: "9464", METRICS_HOST: "0.0.0.0" }).metrics,
    ).toEqual({ port: 9464, host: "0.0.0.0" });
    expect(apiConfigFromEnv({ ...TENANT, PORT: "0", METRICS_PORT: "0" }).metrics).toEqual({
      port: 0,
      host: undefined,
    });
  });

  it.each([
    [
      { METRICS_PORT: "65536" },
      /^METRICS_PORT: expected a TCP port for \/metrics, from 0 to 65535/,
    ],
    [{ METRICS_PORT: "-1" }, /^METRICS_PORT: expected/],
    [{ METRICS_PORT: "metrics" }, /^METRICS_PORT: expected/],
    [{ METRICS_PORT: "3000" }, /^METRICS_PORT: expected a port other than PORT's/],
    [{ METRICS_PORT: "8080", PORT: "8080" }, /^METRICS_PORT: expected a port other than PORT's/],
  ])("refuses %j naming METRICS_PORT", (env, message) => {
    expect(() => apiConfigFromEnv({ ...TENANT, ...env })).toThrow(message);
  });
});

describe("metrics listener", () => {
  it("with metrics off, starts exactly one listener and answers /metrics on the api's port 404", async () => {
    const listen = vi.spyOn(Server.prototype, "listen");
    const started = await api();
    expect(listen).toHaveBeenCalledTimes(1);
    expect(started.metricsUrl).toBeUndefined();
    const response = await fetch(`${started.url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "not_found", message: "Not found" });
  });

  it("with metrics on, listens on loopback by default and never serves /metrics on the api's port", async () => {
    const listen = vi.spyOn(Server.prototype, "listen");
    const started = await api({ port: 0 });
    expect(listen).toHaveBeenCalledTimes(2);
    expect(started.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(started.metricsUrl).not.toContain(`:${started.port}/`);
    expect((await fetch(`${started.url}/metrics`)).status).toBe(404);
    const scraped = await scrape(started.metricsUrl as string);
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain("# TYPE http_requests_total counter");
  });

  it("answers only GET and HEAD on /metrics, 404 elsewhere, and is not cached", async () => {
    const metricsUrl = (await api({ port: 0, host: "127.0.0.1" })).metricsUrl as string;
    const base = metricsUrl.replace(/\/metrics$/, "");
    const post = await fetch(metricsUrl, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(metricsUrl, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await head.text()).toBe("");
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/x`)).status).toBe(404);
    const get = await fetch(`${metricsUrl}?name[]=x`);
    expect(get.status).toBe(200);
    expect(get.headers.get("cache-control")).toBe("no-store");
  });

  it("serves readiness with its detail at /readyz (GET and HEAD, not cached), shutting_down once shutdown begins", async () => {
    const started = await api({ port: 0, host: "127.0.0.1" });
    await started.verifier.keySet.warm();
    const readyz = new URL("/readyz", started.metricsUrl);
    const ready = await fetch(readyz);
    expect(ready.status).toBe(200);
    expect(ready.headers.get("content-type")).toBe("application/json");
    expect(ready.headers.get("cache-control")).toBe("no-store");
    expect(await ready.json()).toEqual({
      status: "ready",
      keySet: { state: "fresh", keys: 1, consecutiveFailures: 0, lastError: null },
    });
    expect((await fetch(readyz, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(readyz, { method: "POST" })).status).toBe(405);

    // A long delay keeps the shutdown in its first phase; a second call ends it.
    const stopping = started.shutdown({ delayMs: 600_000 });
    const draining = await fetch(readyz);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({
      status: "not_ready",
      reason: "shutting_down",
      detail: "shutting down",
    });
    expect(await (await fetch(`${started.url}/readyz`)).json()).toEqual({
      status: "not_ready",
      reason: "shutting_down",
    });
    await started.shutdown();
    await stopping;
  });

  it("stops listening when the api closes", async () => {
    const started = await api({ port: 0 });
    const metricsUrl = started.metricsUrl as string;
    expect((await fetch(metricsUrl)).status).toBe(200);
    await started.close();
    await expect(fetch(metricsUrl)).rejects.toThrow();
  });

  it("fails the start, leaving nothing listening, when the metrics port is taken", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    running.push({ close: () => new Promise<void>((resolve) => taken.close(() => resolve())) });
    const port = (taken.address() as AddressInfo).port;
    const listen = vi.spyOn(Server.prototype, "listen");
    await expect(api({ port, host: "127.0.0.1" })).rejects.toMatchObject({
      name: "ConfigurationError",
      variable: "METRICS_PORT",
    });
    // The metrics listener is tried first, so the api's own port was never opened.
    expect(listen).toHaveBeenCalledTimes(1);
  });
});

describe("metrics from the real entry point", () => {
  let spawned: ApiUnderTest | undefined;
  afterEach(async () => {
    await spawned?.close();
    spawned = undefined;
  });

  const env = () => ({
    AUTHACTION_ISSUER: issuer.issuer,
    AUTHACTION_AUDIENCE: issuer.audience,
  });

  it("serves /metrics on METRICS_PORT and announces where in its listening line", async () => {
    spawned = await spawnApi({ ...env(), METRICS_PORT: "0", METRICS_HOST: "127.0.0.1" });
    const metricsUrl = spawned.metricsUrl as string;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const before = await scrape(metricsUrl);
    expect((await fetch(`${spawned.url}/public`)).status).toBe(200);
    const after = await scrape(metricsUrl);
    const publicOk = { route: "/public", status: "200" };
    expect(after.value("http_requests_total", publicOk)).toBe(
      before.value("http_requests_total", publicOk) + 1,
    );
    expect((await fetch(`${spawned.url}/metrics`)).status).toBe(404);
  });

  it("without METRICS_PORT announces no metrics URL and answers /metrics 404", async () => {
    spawned = await spawnApi(env());
    expect(spawned.metricsUrl).toBeUndefined();
    expect(spawned.logs.find((line) => line.event === "listening")).not.toHaveProperty(
      "metricsUrl",
    );
    expect((await fetch(`${spawned.url}/metrics`)).status).toBe(404);
  });
});
