import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  AuthError,
  createAccessTokenVerifier,
  type KeySetEvent,
} from "../src/server.ts";
import { ManualClock } from "../src/testing.ts";
import {
  signWith,
  TEST_AUDIENCE,
  TEST_ISSUER,
  type TestKey,
  testKey,
} from "./support/jwks-server.ts";
import { type LoopbackServer, startLoopbackServer, streamBody } from "./support/loopback-server.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let key: TestKey;
let token: string;
let clock: ManualClock;
let handler: Handler;
let jwks: LoopbackServer;
const cleanup: Array<() => unknown> = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

const serveKeys =
  (keys: readonly TestKey[]): Handler =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  };

beforeEach(async () => {
  key ??= await testKey("RS256", "good");
  token = await signWith(key, "t1");
  clock = new ManualClock();
  handler = serveKeys([key]);
  jwks = await startLoopbackServer((req, res) => handler(req, res));
  cleanup.push(() => jwks.close());
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  process.off("unhandledRejection", onUnhandled);
});

function verifierWith(extra: Partial<AccessTokenVerifierOptions> = {}) {
  const events: KeySetEvent[] = [];
  const verifier: AccessTokenVerifier = createAccessTokenVerifier({
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    jwksUri: `${jwks.url}/jwks.json`,
    keySet: { maxAgeMs: 1_000, cooldownMs: 100 },
    cache: false,
    clock,
    onKeySetEvent: (event) => events.push(event),
    ...extra,
  });
  cleanup.push(() => verifier.keySet.close());
  return { verifier, events };
}

/** Load the good set, switch the endpoint to `next`, and run the background refresh to its end. */
async function refreshInto(
  next: Handler,
  v: { verifier: AccessTokenVerifier; events: KeySetEvent[] },
) {
  await expect(v.verifier.keySet.warm()).resolves.toBe(true);
  handler = next;
  const before = v.events.length;
  clock.advance(1_000);
  await vi.waitFor(() => expect(v.events.length).toBe(before + 1));
  return v.events.at(-1);
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (e: unknown) => (e instanceof AuthError ? e.code : `unexpected ${String(e)}`),
  );

describe("key set: a callback cannot break it", () => {
  const callbacks: Array<[string, () => unknown]> = [
    [
      "throws",
      () => {
        throw new Error("logger is broken");
      },
    ],
    ["rejects", () => Promise.reject(new Error("async logger is broken"))],
  ];
  for (const [name, onKeySetEvent] of callbacks) {
    it(`keeps refreshing and serving when onKeySetEvent ${name}, with no unhandled rejection`, async () => {
      let calls = 0;
      const { verifier } = verifierWith({
        onKeySetEvent: (): unknown => {
          calls += 1;
          // Returned, so a rejected promise reaches the key set as an async callback's would.
          return onKeySetEvent();
        },
      });
      await expect(verifier.keySet.warm()).resolves.toBe(true);
      await expect(codeOf(verifier.verify(token))).resolves.toBe("accepted");
      // A background refresh that fails, then one that succeeds: both call the callback.
      handler = (_req, res) => res.writeHead(500).end();
      clock.advance(1_000);
      await vi.waitFor(() => expect(calls).toBe(2));
      handler = serveKeys([key]);
      clock.advance(verifier.keySet.status().nextAttemptInMs ?? 0);
      await vi.waitFor(() => expect(calls).toBe(3));
      expect(verifier.keySet.status()).toMatchObject({ state: "fresh", consecutiveFailures: 0 });
      await expect(codeOf(verifier.verify(token))).resolves.toBe("accepted");
      // Let any stray rejection surface before checking there was none.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    });
  }
});

describe("key set: redirects are refused", () => {
  it("never contacts a redirect's target, names its host, and keeps the last good set", async () => {
    const target = await startLoopbackServer(serveKeys([key]));
    cleanup.push(() => target.close());
    const v = verifierWith();
    const failure = await refreshInto((_req, res) => {
      res.writeHead(302, { location: `${target.url}/evil-jwks.json` }).end();
    }, v);
    const host = new URL(target.url).host;
    expect(failure).toMatchObject({
      type: "key_set_refresh_failed",
      error: `JWKS endpoint answered HTTP 302 redirecting to host ${host}; redirects are not followed, configure the final URL`,
      servingLastGoodSet: true,
    });
    expect(target.requests).toBe(0);
    await expect(codeOf(v.verifier.verify(token))).resolves.toBe("accepted");
  });

  it("refuses a redirect on the first fetch too: not ready, the error saying why", async () => {
    const target = await startLoopbackServer(serveKeys([key]));
    cleanup.push(() => target.close());
    handler = (_req, res) => res.writeHead(307, { location: `${target.url}/jwks.json` }).end();
    const { verifier } = verifierWith();
    await expect(verifier.keySet.warm()).resolves.toBe(false);
    expect(verifier.keySet.status().lastError).toContain("HTTP 307 redirecting to host");
    expect(target.requests).toBe(0);
  });
});

describe("key set: response limits", () => {
  it("aborts a 64 MB JWKS body after about 256 KiB and keeps the old keys in use", async () => {
    let stream: ReturnType<typeof streamBody> | undefined;
    const v = verifierWith();
    const failure = await refreshInto((_req, res) => {
      // Never buffered here either: written only as fast as the client reads.
      stream = streamBody(res, { totalBytes: 64 * 1024 * 1024, prefix: '{"keys":[], "pad":"' });
    }, v);
    expect(failure).toMatchObject({
      type: "key_set_refresh_failed",
      error: "JWKS response exceeds 262144 bytes",
      servingLastGoodSet: true,
    });
    // The client cancelled the connection: the server stops, having sent what the cap and the
    // loopback socket buffers hold, a small part of the 64 MB.
    await stream?.finished;
    expect(stream?.sent()).toBeLessThan(16 * 1024 * 1024);
    await expect(codeOf(v.verifier.verify(token))).resolves.toBe("accepted");
    expect(v.verifier.keySet.status()).toMatchObject({ ready: true, kids: ["good"] });
  });

  it("refuses a body whose declared Content-Length is over the cap without reading it", async () => {
    const v = verifierWith({ keySet: { maxAgeMs: 1_000, cooldownMs: 100, maxBytes: 4_096 } });
    const failure = await refreshInto((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "5000" });
      res.end(" ".repeat(5000));
    }, v);
    expect(failure).toMatchObject({ error: "JWKS response exceeds 4096 bytes" });
  });

  it("counts bytes, not characters: 600 two-byte characters exceed a 1024-byte cap", async () => {
    const v = verifierWith({ keySet: { maxAgeMs: 1_000, cooldownMs: 100, maxBytes: 1_024 } });
    const body = JSON.stringify({ keys: [], note: "é".repeat(600) });
    expect(body.length).toBeLessThan(1_024);
    const failure = await refreshInto((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(body);
      res.end();
    }, v);
    expect(failure).toMatchObject({ error: "JWKS response exceeds 1024 bytes" });
  });

  it("refuses a set of more keys than the limit (default 100) and keeps the old keys", async () => {
    const v = verifierWith();
    const many = Array.from({ length: 101 }, (_, i) => ({ ...key.jwk, kid: `k${i}` }));
    const failure = await refreshInto((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: many }));
    }, v);
    expect(failure).toMatchObject({
      type: "key_set_refresh_failed",
      error: "JWKS lists 101 keys, more than the limit of 100",
      servingLastGoodSet: true,
    });
    await expect(codeOf(v.verifier.verify(token))).resolves.toBe("accepted");
  });
});
