import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type AccessTokenVerifierOptions,
  AuthError,
  createAccessTokenVerifier,
  type KeySetEvent,
  type KeySetPolicy,
} from "../src/server.ts";

let issuer: LocalIssuer;
let events: KeySetEvent[];

beforeEach(async () => {
  issuer = await startLocalIssuer();
  events = [];
});
afterEach(async () => {
  await issuer.close();
});

function verifierWith(
  keySet: Partial<KeySetPolicy>,
  extra: Partial<AccessTokenVerifierOptions> = {},
) {
  return createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    keySet,
    onKeySetEvent: (event) => events.push(event),
    ...extra,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (e: unknown) => (e instanceof AuthError ? e.code : `unexpected ${String(e)}`),
  );

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
    await sleep(250);
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
    // The cooldown is generous: generating an RSA key can take a while on a loaded machine.
    await verifier.verify(await issuer.signToken());
    await issuer.rotateKey();
    issuer.resetRequestCounts();
    await expect(codeOf(verifier.verify(await issuer.signToken()))).resolves.toBe("unknown_key");
    expect(issuer.requestCounts().jwks).toBe(0);
    await sleep(2_050);
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
    const verifier2 = verifierWith({ cooldownMs: 100 });
    await verifier2.verify(await issuer.signToken());
    await sleep(150);
    issuer.resetRequestCounts();
    await Promise.all(flood.slice(0, 100).map((t) => codeOf(verifier2.verify(t))));
    expect(issuer.requestCounts().jwks).toBe(1);
  });
});

describe("key set: rotation and removal", () => {
  it("stops accepting a key that a successful refresh no longer lists, even for a cached token", async () => {
    const verifier = verifierWith({ maxAgeMs: 100, cooldownMs: 50 });
    const oldKid = issuer.keys().signing;
    const oldToken = await issuer.signToken();
    await expect(codeOf(verifier.verify(oldToken))).resolves.toBe("accepted");
    await issuer.rotateKey();
    issuer.removeKey(oldKid);
    await sleep(150);
    // This request finds the set past max age and starts a background refresh.
    await verifier.verify(await issuer.signToken()).catch(() => undefined);
    await sleep(100);
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
      await sleep(80);
      await expect(codeOf(verifier.verify(token))).resolves.toBe("accepted");
      await sleep(50);
      await expect(codeOf(verifier.verify(token))).resolves.toBe("accepted");
      const failure = events.find((e) => e.type === "key_set_refresh_failed");
      expect(failure).toMatchObject({ trigger: "max_age", servingLastGoodSet: true });
      expect(verifier.keySet.status()).toMatchObject({ state: "stale", ready: true });
      issuer.setJwksMode("ok");
    });
  }

  it("answers at once from the stale set while the JWKS endpoint hangs", async () => {
    const verifier = verifierWith(
      { maxAgeMs: 50, cooldownMs: 20, timeoutMs: 10_000 },
      { cache: false },
    );
    const token = await issuer.signToken();
    await verifier.verify(token);
    issuer.setJwksMode("hang");
    await sleep(80);
    // The background refresh hangs for 10 s; the request must not wait on it.
    const outcome = await Promise.race([
      codeOf(verifier.verify(token)),
      sleep(2_000).then(() => "waited"),
    ]);
    expect(outcome).toBe("accepted");
    issuer.setJwksMode("ok");
  });

  it("answers a request that needs a fetch within the timeout when the endpoint hangs", async () => {
    issuer.setJwksMode("hang");
    const verifier = verifierWith({ timeoutMs: 300 });
    const outcome = await Promise.race([
      codeOf(verifier.verify(await issuer.signToken())),
      sleep(3_000).then(() => "hung"),
    ]);
    expect(outcome).toBe("key_set_unavailable");
    expect(events.at(-1)).toMatchObject({
      type: "key_set_refresh_failed",
      error: "JWKS request timed out",
    });
    issuer.setJwksMode("ok");
  });

  it("stops serving the last good set past max-stale", async () => {
    const verifier = verifierWith(
      { maxAgeMs: 20, maxStaleMs: 150, cooldownMs: 10_000 },
      { cache: false },
    );
    const token = await issuer.signToken();
    await verifier.verify(token);
    issuer.setJwksMode("error");
    await sleep(200);
    expect(verifier.keySet.status()).toMatchObject({ state: "expired", ready: false });
    await expect(codeOf(verifier.verify(token))).resolves.toBe("key_set_unavailable");
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
