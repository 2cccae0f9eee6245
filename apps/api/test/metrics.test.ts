import type { AccessTokenVerifierOptions } from "@repo/auth/server";
import type { JwksMode } from "@repo/issuer";
import { generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { type Scrape, scrape } from "./support/scrape-metrics.ts";
import { get, type Stack, startStack } from "./support/start-stack.ts";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function startWithMetrics(
  verifier: Partial<AccessTokenVerifierOptions> = {},
  jwksMode?: JwksMode,
): Promise<Stack & { metricsUrl: string }> {
  stack = await startStack({
    verifier,
    ...(jwksMode === undefined ? {} : { jwksMode }),
    api: { metrics: { port: 0, host: "127.0.0.1" } },
  });
  const metricsUrl = stack.api.metricsUrl;
  if (metricsUrl === undefined) throw new Error("metrics are not served");
  return Object.assign(stack, { metricsUrl });
}

/** A token signed by a key the issuer never published, under the issuer's own kid. */
async function forgedToken(s: Stack): Promise<string> {
  const { privateKey } = await generateKeyPair("RS256");
  return new SignJWT({ scope: "read:public read:secret", client_id: "demo-client" })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: s.issuer.keys().signing })
    .setIssuer(s.issuer.issuer)
    .setAudience(s.issuer.audience)
    .setSubject("demo-client@clients")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(privateKey);
}

const bearer = (token: string) => `Bearer ${token}`;
const delta = (before: Scrape, after: Scrape, name: string, labels?: Record<string, string>) =>
  after.value(name, labels) - before.value(name, labels);

describe("metrics: counters move by exactly what real traffic did", () => {
  it("counts requests by route and status, refusals by reason, and cache hits and misses", async () => {
    const s = await startWithMetrics();
    // The key set is fetched as the api starts (trigger "warm"); the first request waits for that
    // fetch if it is still running, so the traffic below fetches nothing.
    expect((await get(s, "/protected", bearer(await s.token()))).status).toBe(200);
    const valid = await s.token();
    const expired = await s.issuer.signToken({
      issuedAt: Math.floor(Date.now() / 1000) - 7200,
      expiresInSeconds: 3600,
    });
    const forged = await forgedToken(s);

    const before = await scrape(s.metricsUrl);
    expect((await get(s, "/public")).status).toBe(200);
    expect((await get(s, "/protected", bearer(valid))).status).toBe(200); // cache miss
    expect((await get(s, "/protected", bearer(valid))).status).toBe(200); // cache hit
    expect((await get(s, "/trpc/protected", bearer(valid))).status).toBe(200); // cache hit
    expect((await get(s, "/protected", bearer(expired))).status).toBe(401);
    expect((await get(s, "/protected", bearer(forged))).status).toBe(401);
    expect((await get(s, "/protected")).status).toBe(401);
    expect((await get(s, "/trpc/public,protected?batch=1")).status).toBe(207);
    expect((await get(s, "/trpc/nothing-here")).status).toBe(404);
    expect((await get(s, `/no/such/${valid}`)).status).toBe(404);
    expect((await get(s, "/healthz")).status).toBe(200);
    const after = await scrape(s.metricsUrl);

    expect(after.status).toBe(200);
    expect(after.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const requests = (route: string, status: string) =>
      delta(before, after, "http_requests_total", { route, status });
    expect(requests("/public", "200")).toBe(1);
    expect(requests("/protected", "200")).toBe(2);
    expect(requests("/protected", "401")).toBe(3);
    expect(requests("/trpc/protected", "200")).toBe(1);
    expect(requests("trpc_batch", "207")).toBe(1);
    expect(requests("trpc_other", "404")).toBe(1);
    expect(requests("other", "404")).toBe(1);
    expect(requests("/healthz", "200")).toBe(1);
    expect(delta(before, after, "http_requests_total")).toBe(11);
    expect(delta(before, after, "http_request_duration_seconds_count")).toBe(11);

    const refusals = (reason: string) => delta(before, after, "auth_refusals_total", { reason });
    expect(refusals("expired")).toBe(1);
    expect(refusals("bad_signature")).toBe(1);
    expect(refusals("missing_token")).toBe(2);
    expect(delta(before, after, "auth_refusals_total")).toBe(4);

    // The valid token's first use, the expired and the forged one missed; its repeats hit.
    expect(delta(before, after, "auth_token_cache_hits_total")).toBe(2);
    expect(delta(before, after, "auth_token_cache_misses_total")).toBe(3);
    expect(delta(before, after, "auth_token_cache_entries")).toBe(1);
    expect(after.value("auth_token_cache_max_entries")).toBe(10_000);

    // The one fetch was the one at start; the traffic fetched nothing.
    const okFetch = { trigger: "warm", outcome: "ok", reason: "none" };
    expect(after.value("auth_key_set_fetches_total", okFetch)).toBe(1);
    expect(after.value("auth_key_set_fetches_total")).toBe(1);
    expect(after.value("auth_key_set_fetch_duration_seconds_count", { outcome: "ok" })).toBe(1);
    expect(after.value("auth_key_set_state", { state: "fresh" })).toBe(1);
    expect(after.value("auth_key_set_state")).toBe(1);
    expect(after.value("auth_key_set_keys")).toBe(1);
    expect(after.value("auth_key_set_consecutive_failures")).toBe(0);
    expect(after.value("auth_key_set_age_seconds")).toBeGreaterThanOrEqual(0);
    expect(after.value("auth_key_set_age_seconds")).toBeLessThan(
      after.value("auth_key_set_max_stale_seconds"),
    );
    expect(after.value("auth_key_set_max_stale_seconds")).toBe(86_400);

    // No label value is ever a token, a subject, a client id or a URL the client chose.
    const secrets = [valid, expired, forged, "demo-client", "@clients", "no/such"];
    const labelValues = after.samples.flatMap((sample) => Object.values(sample.labels));
    for (const secret of secrets) {
      expect(labelValues.filter((v) => v.includes(secret))).toEqual([]);
      expect(after.text).not.toContain(secret);
    }
  });

  it("records a failed fetch with its reason and the key set as empty", async () => {
    const s = await startWithMetrics({}, "error");
    const response = await get(s, "/protected", bearer(await s.token()));
    expect(response.status).toBe(503);
    const after = await scrape(s.metricsUrl);
    expect(
      after.value("auth_key_set_fetches_total", {
        trigger: "warm",
        outcome: "failed",
        reason: "http_status",
      }),
    ).toBe(1);
    expect(after.value("auth_key_set_fetch_duration_seconds_count", { outcome: "failed" })).toBe(1);
    expect(after.value("auth_refusals_total", { reason: "key_set_unavailable" })).toBe(1);
    expect(after.value("http_requests_total", { route: "/protected", status: "503" })).toBe(1);
    expect(after.value("auth_key_set_state", { state: "empty" })).toBe(1);
    expect(after.value("auth_key_set_consecutive_failures")).toBe(1);
    expect(after.value("auth_key_set_age_seconds")).toBe(0);
  });

  it.each([
    ["invalid-json", "invalid_response"],
    ["empty", "no_usable_key"],
  ] as const)("classes a fetch of a JWKS endpoint answering %s as %s", async (mode, reason) => {
    const s = await startWithMetrics({}, mode);
    expect((await get(s, "/protected", bearer(await s.token()))).status).toBe(503);
    const after = await scrape(s.metricsUrl);
    expect(after.value("auth_key_set_fetches_total", { outcome: "failed", reason })).toBe(1);
  });

  it("classes a fetch that times out as timeout", async () => {
    const s = await startWithMetrics({ keySet: { timeoutMs: 100 } }, "hang");
    expect((await get(s, "/protected", bearer(await s.token()))).status).toBe(503);
    s.issuer.setJwksMode("ok");
    const after = await scrape(s.metricsUrl);
    expect(
      after.value("auth_key_set_fetches_total", { outcome: "failed", reason: "timeout" }),
    ).toBe(1);
  });

  it("classes a fetch from a closed port as network", async () => {
    const s = await startWithMetrics({ jwksUri: "http://127.0.0.1:9/.well-known/jwks.json" });
    expect((await get(s, "/protected", bearer(await s.token()))).status).toBe(503);
    const after = await scrape(s.metricsUrl);
    expect(
      after.value("auth_key_set_fetches_total", { outcome: "failed", reason: "network" }),
    ).toBe(1);
  });

  it("includes prom-client's default process metrics", async () => {
    const s = await startWithMetrics();
    const after = await scrape(s.metricsUrl);
    expect(after.value("process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(after.value("process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(after.samples.some((sample) => sample.name === "nodejs_eventloop_lag_seconds")).toBe(
      true,
    );
  });
});
