import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  AuthError,
  createAccessTokenVerifier,
  type KeySetEvent,
  type KeySetPolicy,
} from "../src/server.ts";
import { ManualClock } from "../src/testing.ts";

let issuer: LocalIssuer;
let events: KeySetEvent[];
let clock: ManualClock;
const verifiers: AccessTokenVerifier[] = [];

beforeEach(async () => {
  issuer = await startLocalIssuer();
  events = [];
  clock = new ManualClock();
});
afterEach(async () => {
  for (const verifier of verifiers.splice(0)) verifier.keySet.close();
  await issuer.close();
});

/** A verifier on the local issuer whose time is `clock`: tests move it instead of sleeping. */
function verifierWith(
  keySet: Partial<KeySetPolicy>,
  extra: Partial<AccessTokenVerifierOptions> = {},
) {
  const verifier = createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    keySet,
    onKeySetEvent: (event) => events.push(event),
    clock,
    ...extra,
  });
  verifiers.push(verifier);
  return verifier;
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (e: unknown) => (e instanceof AuthError ? e.code : `unexpected ${String(e)}`),
  );

const countOf = (type: KeySetEvent["type"]) => events.filter((e) => e.type === type).length;

describe("key set: fetching and sharing", () => {
  it("makes one JWKS request for a burst of concurrent first requests", async () => {
    const verifier = verifierWith({});
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => issuer.signToken({ claims: { jti: `t${i}` } })),
    );
    issuer.resetRequestCounts();
    const results = await Promise.all(tokens.map((t) => codeOf(verifier.verify(t))));
    expect(results.every((r) => r === "accepted")).toBe(true);
    expect(issuer.requestCounts().jwks).toBe(1);
  });

  it("makes no JWKS request for warm traffic", async () => {
    const verifier = verifierWith({});
    await verifier.verify(await issuer.signToken());
    issuer.resetRequestCounts();
    for (let i = 0; i < 20; i++)
      await verifier.verify(await issuer.signToken({ claims: { jti: `w${i}` } }));
    expect(issuer.requestCounts().jwks).toBe(0);
  });

  it("accepts a rotated-in key after one refetch once the cooldown has passed", async () => {
    const verifier = verifierWith({ cooldownMs: 200 });
    await verifier.verify(await issuer.signToken());
    await issuer.rotateKey();
    clock.advance(250);
    issuer.resetRequestCounts();
    await expect(codeOf(verifier.verify(await issuer.signToken()))).resolves.toBe("accepted");
    expect(issuer.requestCounts().jwks).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: "key_set_refreshed", trigger: "unknown_kid" });
  });

  it("tells how long each fetch took, successful or failed, on its event", async () => {
    const verifier = verifierWith({ cooldownMs: 1 });
    await verifier.keySet.warm();
    issuer.setJwksMode("error");
    await verifier.keySet.warm();
    issuer.setJwksMode("ok");
    expect(events.map((e) => e.type)).toEqual(["key_set_refreshed", "key_set_refresh_failed"]);
    for (const event of events) {
      expect(Number.isFinite(event.durationMs)).toBe(true);
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("refuses an unknown kid without refetching inside the cooldown, then accepts it after", async () => {
    const verifier = verifierWith({ cooldownMs: 2_000 });
    await verifier.verify(await issuer.signToken());
    await issuer.rotateKey();
    issuer.resetRequestCounts();
    await expect(codeOf(verifier.verify(await issuer.signToken()))).resolves.toBe("unknown_key");
    expect(issuer.requestCounts().jwks).toBe(0);
    clock.advance(1_999);
    await expect(codeOf(verifier.verify(await issuer.signToken()))).resolves.toBe("unknown_key");
    expect(issuer.requestCounts().jwks).toBe(0);
    clock.advance(1);
    await expect(codeOf(verifier.verify(await issuer.signToken()))).resolves.toBe("accepted");
    expect(issuer.requestCounts().jwks).toBe(1);
  });

  it("bounds a flood of random kids to one fetch per cooldown", async () => {
    const verifier = verifierWith({ cooldownMs: 60_000 });
    await verifier.verify(await issuer.signToken());
    issuer.resetRequestCounts();
    const flood = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        issuer.signToken({ kid: `random-${i}-${Math.random()}` }),
      ),
    );
    const results = await Promise.all(flood.map((t) => codeOf(verifier.verify(t))));
    expect(new Set(results)).toEqual(new Set(["unknown_key"]));
    expect(issuer.requestCounts().jwks).toBe(0);
    // Past the cooldown: concurrent unknown kids share a single refetch.
    clock.advance(60_000);
    await Promise.all(flood.slice(0, 100).map((t) => codeOf(verifier.verify(t))));
    expect(issuer.requestCounts().jwks).toBe(1);
  });
});

describe("key set: background refresh", () => {
  it("refreshes at max age on its own, with no request, and keeps doing so", async () => {
    const verifier = verifierWith({ maxAgeMs: 1_000, cooldownMs: 100 });
    await expect(verifier.keySet.warm()).resolves.toBe(true);
    expect(verifier.keySet.status().nextAttemptInMs).toBe(1_000);
    for (let round = 1; round <= 3; round++) {
      clock.advance(1_000);
      await vi.waitFor(() => expect(countOf("key_set_refreshed")).toBe(1 + round));
    }
    expect(events.at(-1)).toMatchObject({ type: "key_set_refreshed", trigger: "max_age" });
    expect(verifier.keySet.status()).toMatchObject({ state: "fresh", ready: true });
  });

  it("retries a failed first fetch in the background with backoff until it succeeds", async () => {
    issuer.setJwksMode("error");
    const verifier = verifierWith({ cooldownMs: 1_000 });
    await expect(verifier.keySet.warm()).resolves.toBe(false);
    expect(verifier.keySet.status()).toMatchObject({
      state: "empty",
      ready: false,
      lastError: "JWKS endpoint answered HTTP 500",
      reason: "signing keys could not be loaded: 1 fetch failed, retrying in the background",
    });
    // Exponential backoff from the cooldown, ±20% jitter: the second retry waits about twice as long.
    const first = verifier.keySet.status().nextAttemptInMs ?? 0;
    expect(first).toBeGreaterThanOrEqual(1_000);
    expect(first).toBeLessThanOrEqual(1_200);
    clock.advance(first);
    await vi.waitFor(() => expect(countOf("key_set_refresh_failed")).toBe(2));
    expect(events.at(-1)).toMatchObject({ trigger: "retry", consecutiveFailures: 2 });
    const second = verifier.keySet.status().nextAttemptInMs ?? 0;
    expect(second).toBeGreaterThanOrEqual(1_600);
    issuer.setJwksMode("ok");
    clock.advance(second);
    await vi.waitFor(() => expect(verifier.keySet.status().ready).toBe(true));
    expect(verifier.keySet.status()).toMatchObject({ state: "fresh", lastError: undefined });
  });

  it("close() stops the background refresh", async () => {
    const verifier = verifierWith({ maxAgeMs: 1_000 });
    await verifier.keySet.warm();
    verifier.keySet.close();
    expect(clock.pending()).toEqual([]);
    expect(verifier.keySet.status().nextAttemptInMs).toBeUndefined();
  });
});

describe("key set: rotation and removal", () => {
  it("stops accepting a key that a background refresh no longer lists, even for a cached token", async () => {
    const verifier = verifierWith({ maxAgeMs: 100, cooldownMs: 50 });
    const oldKid = issuer.keys().signing;
    const oldToken = await issuer.signToken();
    await expect(codeOf(verifier.verify(oldToken))).resolves.toBe("accepted");
    await issuer.rotateKey();
    issuer.removeKey(oldKid);
    clock.advance(100);
    await vi.waitFor(() =>
      expect(events.at(-1)).toMatchObject({ type: "key_set_refreshed", removed: [oldKid] }),
    );
    await expect(codeOf(verifier.verify(oldToken))).resolves.toBe("unknown_key");
  });
});

describe("key set: failures keep the last good set", () => {
  for (const mode of ["error", "invalid-json", "empty"] as const) {
    it(`keeps accepting known keys while the JWKS endpoint answers ${mode}, and logs why`, async () => {
      const verifier = verifierWith({ maxAgeMs: 50, cooldownMs: 20 }, { cache: false });
      const token = await issuer.signToken();
      await verifier.verify(token);
      issuer.setJwksMode(mode);
      clock.advance(80);
      await vi.waitFor(() => expect(countOf("key_set_refresh_failed")).toBe(1));
      await expect(codeOf(verifier.verify(token))).resolves.toBe("accepted");
      const failure = events.find((e) => e.type === "key_set_refresh_failed");
      expect(failure).toMatchObject({ trigger: "max_age", servingLastGoodSet: true });
      expect(verifier.keySet.status()).toMatchObject({ state: "stale", ready: true });
      issuer.setJwksMode("ok");
    });
  }

  it("answers from the stale set while the refresh hangs", async () => {
    const verifier = verifierWith(
      { maxAgeMs: 50, cooldownMs: 20, timeoutMs: 10_000 },
      { cache: false },
    );
    const token = await issuer.signToken();
    await verifier.verify(token);
    issuer.setJwksMode("hang");
    issuer.resetRequestCounts();
    clock.advance(80);
    await vi.waitFor(() => expect(issuer.requestCounts().jwks).toBe(1));
    // The refresh hangs until the clock reaches its timeout; this request must not wait on it.
    await expect(codeOf(verifier.verify(token))).resolves.toBe("accepted");
    issuer.setJwksMode("ok");
  });

  it("fails a request that needs a fetch once the fetch times out", async () => {
    issuer.setJwksMode("hang");
    const verifier = verifierWith({ timeoutMs: 300 });
    const outcome = codeOf(verifier.verify(await issuer.signToken()));
    await vi.waitFor(() => expect(issuer.requestCounts().jwks).toBe(1));
    clock.advance(300);
    await expect(outcome).resolves.toBe("key_set_unavailable");
    expect(events.at(-1)).toMatchObject({
      type: "key_set_refresh_failed",
      error: "JWKS request timed out",
    });
    issuer.setJwksMode("ok");
  });

  it("stops serving the last good set past max-stale, saying the refreshes failed", async () => {
    const verifier = verifierWith(
      { maxAgeMs: 20, maxStaleMs: 150, cooldownMs: 20 },
      { cache: false },
    );
    const token = await issuer.signToken();
    await verifier.verify(token);
    issuer.setJwksMode("error");
    clock.advance(20);
    await vi.waitFor(() => expect(countOf("key_set_refresh_failed")).toBe(1));
    // The background retry (backoff 20-24 ms) runs, and fails, on the way past max-stale.
    clock.advance(180);
    await vi.waitFor(() => expect(countOf("key_set_refresh_failed")).toBe(2));
    expect(verifier.keySet.status()).toMatchObject({
      state: "expired",
      ready: false,
      lastError: "JWKS endpoint answered HTTP 500",
      reason:
        "signing keys expired: refreshes have failed past the max-stale bound (2 in a row), retrying in the background",
    });
    await expect(codeOf(verifier.verify(token))).resolves.toBe("key_set_unavailable");
  });

  it("holds() a key only while the set is usable, at the time a caller gives or else its clock's", async () => {
    const verifier = verifierWith({ maxAgeMs: 20, maxStaleMs: 150, cooldownMs: 20 });
    await verifier.keySet.warm();
    const { thumbprint } = await verifier.keySet.resolve({
      alg: "RS256",
      kid: issuer.keys().signing,
    });
    const now = clock.now();
    expect(verifier.keySet.holds(thumbprint)).toBe(true);
    expect(verifier.keySet.holds("not-a-thumbprint")).toBe(false);
    // A reading past max-stale: not usable then, whatever the clock says now.
    expect(verifier.keySet.holds(thumbprint, now + 150)).toBe(false);
    expect(verifier.keySet.holds(thumbprint, now + 149)).toBe(true);
  });

  it("warm() loads the set, and reports failure without throwing", async () => {
    const verifier = verifierWith({});
    expect(verifier.keySet.status()).toMatchObject({ state: "empty", ready: false });
    await expect(verifier.keySet.warm()).resolves.toBe(true);
    expect(verifier.keySet.status()).toMatchObject({ state: "fresh", ready: true });
    issuer.setJwksMode("error");
    await expect(verifierWith({}).keySet.warm()).resolves.toBe(false);
  });
});
