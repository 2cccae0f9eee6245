import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningApi, startApi } from "../src/index.ts";
import { withMetadata } from "./support/resource-metadata.ts";
import { get, type Stack, startStack } from "./support/start-stack.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function stack(keySet: Record<string, number>): Promise<Stack> {
  const s = await startStack({ verifier: { keySet } });
  open.push(s);
  return s;
}

describe("readiness", () => {
  it("is 503 before the key set is loaded and 200 after the first verification", async () => {
    const s = await stack({});
    expect((await get(s, "/readyz")).status).toBe(503);
    expect((await get(s, "/protected", `Bearer ${await s.token()}`)).status).toBe(200);
    expect(await get(s, "/readyz")).toMatchObject({ status: 200, body: { status: "ready" } });
  });

  it("warming at start makes the api ready before its first request", async () => {
    const s = await stack({});
    const warmed = await startApi({
      log: pino({ level: "silent" }),
      host: "127.0.0.1",
      warmKeySet: true,
      verifier: { issuer: s.issuer.issuer, audience: s.issuer.audience, jwksUri: s.issuer.jwksUri },
    });
    open.push(warmed);
    expect((await fetch(`${warmed.url}/readyz`)).status).toBe(200);
  });

  it("warming does not stop the api from starting when the tenant is unreachable", async () => {
    const api: RunningApi = await startApi({
      log: pino({ level: "silent" }),
      host: "127.0.0.1",
      warmKeySet: true,
      verifier: {
        issuer: "http://127.0.0.1:9",
        audience: "https://api.example.com",
        jwksUri: "http://127.0.0.1:9/.well-known/jwks.json",
      },
    });
    open.push(api);
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: "not_ready",
      reason: "signing keys not loaded yet",
    });
    expect((await fetch(`${api.url}/public`)).status).toBe(200);
  });

  it("is 503 again once refreshes have failed past max-stale", async () => {
    const s = await stack({ maxAgeMs: 20, maxStaleMs: 200, cooldownMs: 10_000 });
    expect((await get(s, "/protected", `Bearer ${await s.token()}`)).status).toBe(200);
    s.issuer.setJwksMode("error");
    await sleep(250);
    expect(await get(s, "/readyz")).toMatchObject({
      status: 503,
      body: {
        status: "not_ready",
        reason: "signing keys expired: refreshes have failed past the max-stale bound",
      },
    });
  });
});

describe("outages of the JWKS endpoint", () => {
  it("answers a request that needs keys within the timeout while the endpoint hangs: 503 with Retry-After", async () => {
    const s = await stack({ timeoutMs: 300 });
    s.issuer.setJwksMode("hang");
    const res = await Promise.race([
      get(s, "/protected", `Bearer ${await s.token()}`),
      sleep(3_000).then(() => undefined),
    ]);
    expect(res).toBeDefined();
    expect(res?.status).toBe(503);
    expect(res?.headers.get("retry-after")).toBe("5");
    expect(res?.headers.get("www-authenticate")).toBe(
      withMetadata('Bearer realm="api"', s.api.url),
    );
    expect(res?.body).toEqual({
      error: "key_set_unavailable",
      message: "Signing keys are unavailable; try again later",
    });
    const failure = s.logs.find((line) => line.event === "key_set_refresh_failed");
    expect(failure).toMatchObject({ error: "JWKS request timed out", trigger: "cold" });
    s.issuer.setJwksMode("ok");
  });

  it("keeps answering known tokens at once past max age while the endpoint fails", async () => {
    const s = await stack({ maxAgeMs: 50, cooldownMs: 20 });
    const token = await s.token();
    expect((await get(s, "/protected", `Bearer ${token}`)).status).toBe(200);
    s.issuer.setJwksMode("hang");
    await sleep(80);
    for (let i = 0; i < 5; i++) {
      const res = await Promise.race([
        get(s, "/protected", `Bearer ${token}`),
        sleep(2_000).then(() => undefined),
      ]);
      expect(res?.status).toBe(200);
    }
    s.issuer.setJwksMode("ok");
  });
});
