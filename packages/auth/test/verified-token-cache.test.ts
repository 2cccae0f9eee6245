import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RemoteKeySet } from "../src/key-set/remote-key-set.ts";
import {
  type AccessTokenVerifier,
  AuthError,
  createAccessTokenVerifier,
  type KeySetEvent,
} from "../src/server.ts";
import { issuedAtMs, ManualClock } from "../src/testing.ts";
import { keyOf, VerifiedTokenCache } from "../src/verified-token-cache.ts";
import {
  type JwksServer,
  signWith,
  startJwksServer,
  TEST_AUDIENCE,
  TEST_ISSUER,
  testKey,
} from "./support/jwks-server.ts";

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (e: unknown) => (e instanceof AuthError ? e.code : `unexpected ${String(e)}`),
  );

/** A verifier on the local issuer with its own cache off, for tests that drive a cache themselves. */
function uncachedVerifier(): AccessTokenVerifier {
  const verifier = createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    cache: false,
  });
  cleanup.push(() => verifier.keySet.close());
  return verifier;
}

/** A real key set on the local issuer, and the thumbprint of the signing key it resolves. */
async function issuerKeySet(clock: ManualClock) {
  const keySet = new RemoteKeySet(issuer.jwksUri, { clock });
  cleanup.push(() => keySet.close());
  const { thumbprint } = await keySet.resolve({ alg: "RS256", kid: issuer.keys().signing });
  return { keySet, thumbprint };
}

describe("verified-token cache", () => {
  it("never holds more than its bound, evicting the least recently used", async () => {
    const clock = new ManualClock();
    const { keySet, thumbprint } = await issuerKeySet(clock);
    const cache = new VerifiedTokenCache(3, keySet, clock);
    const verifier = uncachedVerifier();
    // Real verified entries, bound to the key the real key set resolves for them.
    const tokens = await Promise.all(
      Array.from({ length: 5 }, (_, i) => issuer.signToken({ claims: { jti: `c${i}` } })),
    );
    for (const jwt of tokens) cache.set(jwt, await verifier.verify(jwt), thumbprint);
    expect(cache.size).toBe(3);
    expect(cache.get(tokens[0] as string)).toBeUndefined();
    expect(cache.get(tokens[1] as string)).toBeUndefined();
    expect(cache.get(tokens[4] as string)?.sub).toBe("demo-client@clients");
  });

  it("finds entries by a small integer of the token's tail; tokens whose keys collide are one entry, never each other's", async () => {
    const jwt = await issuer.signToken();
    const clock = new ManualClock(issuedAtMs(jwt));
    const { keySet, thumbprint } = await issuerKeySet(clock);
    const token = await uncachedVerifier().verify(jwt);

    // A small integer (inline-hashed by a Map), from the tail only.
    const key = keyOf(jwt);
    expect(Number.isInteger(key) && key >= 0 && key < 2 ** 30).toBe(true);
    const sameTail = `x${jwt.slice(1)}`;
    expect(keyOf(sameTail)).toBe(key);
    expect(keyOf(`${jwt.slice(0, -2)}${jwt.at(-2) === "A" ? "B" : "A"}${jwt.at(-1)}`)).not.toBe(
      key,
    );

    const cache = new VerifiedTokenCache(10, keySet, clock);
    cache.set(jwt, token, thumbprint);
    expect(cache.get(sameTail)).toBeUndefined();
    expect(cache.get(jwt)).toBe(token);
    // The colliding token takes the entry: the first one now misses (and would be verified again).
    const other = { ...token, sub: "other" };
    cache.set(sameTail, other, thumbprint);
    expect(cache.size).toBe(1);
    expect(cache.get(jwt)).toBeUndefined();
    expect(cache.get(sameTail)).toBe(other);
  });

  it("checks exp on every hit: a cached token is refused once it expires", async () => {
    const jwt = await issuer.signToken({ expiresInSeconds: 2 });
    const clock = new ManualClock(issuedAtMs(jwt));
    const verifier = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
      clockToleranceSeconds: 0,
      clock,
    });
    cleanup.push(() => verifier.keySet.close());
    await expect(verifier.verify(jwt)).resolves.toBeDefined();
    clock.advance(1_000);
    await expect(verifier.verify(jwt)).resolves.toBeDefined();
    clock.advance(1_100);
    const error = await verifier.verify(jwt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("expired");
  });

  it("serves no entry whose expiry is not a date (an Invalid Date never compares as passed)", async () => {
    const jwt = await issuer.signToken();
    const clock = new ManualClock(issuedAtMs(jwt));
    const { keySet, thumbprint } = await issuerKeySet(clock);
    const token = await uncachedVerifier().verify(jwt);
    const cache = new VerifiedTokenCache(10, keySet, clock);
    cache.set(jwt, token, thumbprint);
    expect(cache.get(jwt)).toBe(token);
    cache.set(jwt, { ...token, expiresAt: new Date(Number.NaN) }, thumbprint);
    expect(cache.get(jwt)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("is per verifier: a token cached by one configuration is not accepted by another", async () => {
    const jwt = await issuer.signToken();
    const a = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
    });
    const b = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: "https://other.example",
      jwksUri: issuer.jwksUri,
    });
    cleanup.push(
      () => a.keySet.close(),
      () => b.keySet.close(),
    );
    await expect(a.verify(jwt)).resolves.toBeDefined();
    const error = await b.verify(jwt).catch((e: unknown) => e);
    expect((error as AuthError).code).toBe("wrong_audience");
  });
});

describe("verified-token cache: the synchronous lookup (cached)", () => {
  /**
   * No clock tolerance: `iat` may not be after the clock's now, so each test starts its ManualClock
   * at the token's `iat` (started earlier, a second boundary passing before the token is signed
   * would make it "issued in the future").
   */
  function verifierWith(clock: ManualClock, cacheOn = true) {
    const verifier = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
      clockToleranceSeconds: 0,
      cache: cacheOn ? {} : false,
      clock,
    });
    cleanup.push(() => verifier.keySet.close());
    return verifier;
  }

  it("returns a verified token without a promise, and nothing for one never verified", async () => {
    const jwt = await issuer.signToken();
    const verifier = verifierWith(new ManualClock(issuedAtMs(jwt)));
    expect(verifier.cached(jwt)).toBeUndefined();
    const verified = await verifier.verify(jwt);
    const hit = verifier.cached(jwt);
    // The very object the async path resolved to: a plain value, not a thenable.
    expect(hit).toBe(verified);
    expect(typeof (hit as { then?: unknown }).then).toBe("undefined");
    expect(verifier.cached(`${jwt}x`)).toBeUndefined();
    expect(verifier.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1, cacheSize: 1 });
  });

  it("serves an entry only for the whole token it was verified for, not for one sharing its tail", async () => {
    const jwt = await issuer.signToken();
    const verifier = verifierWith(new ManualClock(issuedAtMs(jwt)));
    await verifier.verify(jwt);
    const [header, payload, signature] = jwt.split(".") as [string, string, string];
    // Same signature (the lookup key's characters), another payload: never the cached token.
    const swapped = `${header}.${payload.slice(0, -2)}${payload.at(-2) === "A" ? "B" : "A"}${payload.at(-1)}.${signature}`;
    expect(swapped).not.toBe(jwt);
    expect(verifier.cached(swapped)).toBeUndefined();
    await expect(codeOf(verifier.verify(swapped))).resolves.not.toBe("accepted");
    expect(verifier.cached(jwt)?.sub).toBe("demo-client@clients");
  });

  it("returns nothing once the token expires, as the async path refuses it", async () => {
    const jwt = await issuer.signToken({ expiresInSeconds: 2 });
    const clock = new ManualClock(issuedAtMs(jwt));
    const verifier = verifierWith(clock);
    const { expiresAt } = await verifier.verify(jwt);
    // exp is in whole seconds: step to the last millisecond before it, then onto it.
    clock.advance(expiresAt.getTime() - clock.now() - 1);
    expect(verifier.cached(jwt)?.sub).toBe("demo-client@clients");
    clock.advance(1);
    expect(verifier.cached(jwt)).toBeUndefined();
    await expect(codeOf(verifier.verify(jwt))).resolves.toBe("expired");
  });

  it("returns nothing when the cache is off", async () => {
    const jwt = await issuer.signToken();
    const verifier = verifierWith(new ManualClock(issuedAtMs(jwt)), false);
    await verifier.verify(jwt);
    expect(verifier.cached(jwt)).toBeUndefined();
    expect(verifier.stats()).toMatchObject({ cacheHits: 0, cacheMisses: 0, cacheMaxEntries: 0 });
  });
});

describe("verified-token cache: a key's identity is the key, not its kid", () => {
  /** A verifier on `server`, with the cache on or off, refreshed by moving `clock` past max age. */
  function verifierOn(server: JwksServer, clock: ManualClock, cacheOn: boolean) {
    const events: KeySetEvent[] = [];
    const verifier = createAccessTokenVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: server.jwksUri,
      algorithms: ["RS256", "ES256"],
      keySet: { maxAgeMs: 1_000, cooldownMs: 100 },
      cache: cacheOn ? {} : false,
      clock,
      onKeySetEvent: (event) => events.push(event),
    });
    cleanup.push(() => verifier.keySet.close());
    return { verifier, events };
  }

  async function refreshed(
    clock: ManualClock,
    verifiers: ReadonlyArray<{ verifier: AccessTokenVerifier; events: KeySetEvent[] }>,
  ) {
    const before = verifiers.map((v) => v.events.length);
    clock.advance(1_000);
    await vi.waitFor(() =>
      verifiers.forEach((v, i) => {
        expect(v.events.length).toBeGreaterThan(before[i] ?? 0);
        expect(v.events.at(-1)?.type).toBe("key_set_refreshed");
      }),
    );
  }

  it("refuses the token of a removed RSA key that shared its kid with an EC key, cache on or off", async () => {
    const rsa = await testKey("RS256", "shared");
    const ec = await testKey("ES256", "shared");
    const server = await startJwksServer([rsa, ec]);
    cleanup.push(() => server.close());
    const clock = new ManualClock();
    const cached = verifierOn(server, clock, true);
    const uncached = verifierOn(server, clock, false);
    const rsaToken = await signWith(rsa, "rsa-1");
    const ecToken = await signWith(ec, "ec-1");
    for (const { verifier } of [cached, uncached]) {
      await expect(codeOf(verifier.verify(rsaToken))).resolves.toBe("accepted");
      await expect(codeOf(verifier.verify(ecToken))).resolves.toBe("accepted");
    }

    expect(cached.verifier.cached(rsaToken)?.sub).toBeDefined();
    server.publish([ec]);
    await refreshed(clock, [cached, uncached]);
    // The synchronous lookup sees the key gone too, before any async verification.
    expect(cached.verifier.cached(rsaToken)).toBeUndefined();
    expect(cached.verifier.cached(ecToken)?.sub).toBeDefined();
    // Same kid before and after: only the key's identity says the RSA key is gone.
    expect(cached.verifier.keySet.status().kids).toEqual(["shared"]);
    await expect(codeOf(uncached.verifier.verify(rsaToken))).resolves.toBe("unknown_key");
    await expect(codeOf(cached.verifier.verify(rsaToken))).resolves.toBe("unknown_key");
    await expect(codeOf(cached.verifier.verify(ecToken))).resolves.toBe("accepted");
  });

  it("takes a rotation of a single key without kid into effect: old token refused, new ones accepted", async () => {
    const oldKey = await testKey("RS256");
    const newKey = await testKey("RS256");
    const server = await startJwksServer([oldKey]);
    cleanup.push(() => server.close());
    const clock = new ManualClock();
    const cached = verifierOn(server, clock, true);
    const oldToken = await signWith(oldKey, "old");
    await expect(codeOf(cached.verifier.verify(oldToken))).resolves.toBe("accepted");

    server.publish([newKey]);
    await refreshed(clock, [cached]);
    expect(cached.events.at(-1)).toMatchObject({ kids: [], added: [expect.stringMatching(/^#/)] });
    await expect(codeOf(cached.verifier.verify(oldToken))).resolves.toBe("bad_signature");
    const newToken = await signWith(newKey, "new");
    await expect(codeOf(cached.verifier.verify(newToken))).resolves.toBe("accepted");
    await expect(codeOf(cached.verifier.verify(newToken))).resolves.toBe("accepted");
  });
});
