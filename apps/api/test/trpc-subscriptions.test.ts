import type { AppRouter } from "@repo/api-router";
import { ManualClock } from "@repo/auth/testing";
import type { TRPCClientError } from "@trpc/client";
import { afterEach, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./support/start-stack.ts";
import {
  fixedTokenClient,
  renewingClient,
  tokenSourceFor,
} from "./support/subscription-clients.ts";

// Streams are driven by a manual clock: expiry and the periodic re-check happen when the test
// advances it, never by waiting. Tokens still come from the real issuer over HTTP.
const RECHECK_MS = 1_000;
// Generous on a loaded machine; a poll that runs out fails the test.
const POLL = { timeout: 10_000 };
let stack: Stack | undefined;
let clock: ManualClock;

async function start(maxPerSubject = 10): Promise<Stack> {
  clock = new ManualClock();
  stack = await startStack({
    api: { streams: { clock, maxPerSubject, recheckIntervalMs: RECHECK_MS } },
  });
  return stack;
}

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Move the streams' clock just past `token`'s `exp` plus the verifier's clock tolerance. */
function advancePastExpiry(s: Stack, token: string): void {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
    exp: number;
  };
  const toleranceMs = s.api.verifier.options.clockToleranceSeconds * 1000;
  clock.advance(payload.exp * 1000 + toleranceMs - clock.now() + 1);
}

interface Watched {
  readonly events: Array<{ id: string; text: string }>;
  readonly started: () => number;
  readonly error: () => TRPCClientError<AppRouter> | undefined;
  unsubscribe(): void;
}

function watch(client: ReturnType<typeof fixedTokenClient>): Watched {
  const events: Array<{ id: string; text: string }> = [];
  let started = 0;
  let error: TRPCClientError<AppRouter> | undefined;
  const subscription = client.onMessage.subscribe(undefined, {
    onStarted: () => {
      started += 1;
    },
    onData: (event) => events.push({ id: event.id, text: event.data.text }),
    onError: (e) => {
      error = e;
    },
  });
  return {
    events,
    started: () => started,
    error: () => error,
    unsubscribe: () => subscription.unsubscribe(),
  };
}

async function openRaw(s: Stack, authorization?: string, search = "") {
  const controller = new AbortController();
  const response = await fetch(`${s.api.url}/trpc/onMessage${search}`, {
    headers: {
      accept: "text/event-stream",
      ...(authorization === undefined ? {} : { authorization }),
    },
    signal: controller.signal,
  });
  return { response, close: () => controller.abort() };
}

describe("onMessage: opening", () => {
  it("refuses a stream without a token: 401 and the challenge before any event", async () => {
    const s = await start();
    const { response, close } = await openRaw(s);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer realm="api", resource_metadata="${s.api.resourceMetadataUrl}"`,
    );
    close();
  });

  it("refuses a token without read:messages: 403 insufficient_scope", async () => {
    const s = await start();
    const { response, close } = await openRaw(s, `Bearer ${await s.token("limited-client")}`);
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain(
      'error="insufficient_scope", error_description="Token lacks scope read:messages", scope="read:messages"',
    );
    close();
  });

  it("refuses a malformed input with 400 before streaming", async () => {
    const s = await start();
    const input = encodeURIComponent(JSON.stringify({ lastEventId: 5 }));
    const { response, close } = await openRaw(s, `Bearer ${await s.token()}`, `?input=${input}`);
    expect(response.status).toBe(400);
    close();
  });

  it("refuses an input with a hostile key with 400, repeating neither the key nor its value", async () => {
    const s = await start();
    const hostile = "<img src=x onerror=alert('zzhostile')>\u001b[2J";
    const input = encodeURIComponent(JSON.stringify({ [hostile]: hostile, lastEventId: hostile }));
    const { response, close } = await openRaw(s, `Bearer ${await s.token()}`, `?input=${input}`);
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('"issues":[');
    expect(text).not.toMatch(/zzhostile/i);
    close();
  });

  it("delivers messages posted through postMessage, with their ids", async () => {
    const s = await start();
    const client = fixedTokenClient(s, await s.token());
    const watched = watch(client);
    await expect.poll(() => watched.started(), POLL).toBe(1);
    await client.postMessage.mutate({ text: "hello" });
    await client.postMessage.mutate({ text: "again" });
    await expect.poll(() => watched.events.map((e) => e.text), POLL).toEqual(["hello", "again"]);
    expect(watched.error()).toBeUndefined();
    watched.unsubscribe();
  });
});

describe("onMessage: a stream ends with its token", () => {
  it("ends with UNAUTHORIZED expired when a short-lived token expires", async () => {
    const s = await start();
    s.issuer.setTokenLifetime(5);
    const token = await s.token();
    const watched = watch(fixedTokenClient(s, token));
    await expect.poll(() => watched.started(), POLL).toBe(1);
    advancePastExpiry(s, token);
    await expect.poll(() => watched.error()?.data?.code, POLL).toBe("UNAUTHORIZED");
    expect(watched.error()?.data).toMatchObject({ httpStatus: 401, reason: "expired" });
    expect(s.rawLogs()).not.toContain(token);
    await expect.poll(() => s.api.streams.openFor("demo-client@clients"), POLL).toBe(0);
  });

  it("ends within one re-check once its key has left the refreshed key set", async () => {
    const s = await start();
    const watched = watch(fixedTokenClient(s, await s.token()));
    await expect.poll(() => watched.started(), POLL).toBe(1);
    const oldKid = s.issuer.keys().signing;
    await s.issuer.rotateKey();
    s.issuer.removeKey(oldKid);
    await s.api.verifier.keySet.warm();
    expect(watched.error()).toBeUndefined();
    clock.advance(RECHECK_MS);
    await expect.poll(() => watched.error()?.data?.code, POLL).toBe("UNAUTHORIZED");
    expect(watched.error()?.data).toMatchObject({ httpStatus: 401, reason: "unknown_key" });
  });

  it("is resumed by the client with a fresh token, missing no message", async () => {
    const s = await start();
    s.issuer.setTokenLifetime(5);
    const tokenSource = tokenSourceFor(s);
    const client = renewingClient(s, tokenSource);
    const watched = watch(client);
    await expect.poll(() => watched.started(), POLL).toBe(1);
    const first = await tokenSource.getToken();
    await client.postMessage.mutate({ text: "before expiry" });
    await expect.poll(() => watched.events.length, POLL).toBe(1);

    s.issuer.setTokenLifetime(3_600);
    advancePastExpiry(s, first);
    // Posted while the client reconnects: delivered on resume, from the last event id.
    await fixedTokenClient(s, await s.token()).postMessage.mutate({ text: "during renewal" });
    await expect.poll(() => watched.started(), POLL).toBeGreaterThanOrEqual(2);
    await client.postMessage.mutate({ text: "after renewal" });
    await expect
      .poll(() => watched.events.map((e) => e.text), POLL)
      .toEqual(["before expiry", "during renewal", "after renewal"]);
    expect(watched.error()).toBeUndefined();
    expect(await tokenSource.getToken()).not.toBe(first);
    expect(s.logs.some((line) => line.event === "auth_refused" && line.reason === "expired")).toBe(
      true,
    );
    watched.unsubscribe();
  });
});

describe("onMessage: a stream's timers", () => {
  const QUICK = { timeout: 10_000, interval: 1 };

  it("refuses at connect a token whose exp is past year 9999: 401 invalid_token, nothing opened", async () => {
    const s = await start();
    // 8.64e12 s is the first exp whose Date is Invalid: its stream used to be woken every 1 ms.
    for (const exp of [8.64e12, 253_402_300_800]) {
      const { response, close } = await openRaw(
        s,
        `Bearer ${await s.issuer.signToken({ claims: { exp } })}`,
      );
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain(
        'error="invalid_token", error_description="Token exp claim is out of range"',
      );
      close();
    }
    expect(s.api.streams.openFor("demo-client@clients")).toBe(0);
    expect(clock.pending()).toEqual([]);
    expect(clock.fired()).toBe(0);
  });

  it("holds one timer through many re-check periods and cancels none that already ran", async () => {
    const s = await start();
    const client = fixedTokenClient(s, await s.token());
    const watched = watch(client);
    await expect.poll(() => watched.started(), POLL).toBe(1);
    for (let period = 1; period <= 100; period++) {
      clock.advance(RECHECK_MS);
      // The re-check verified the token again and armed the next one.
      await expect.poll(() => clock.pending()[0]?.dueInMs, QUICK).toBe(RECHECK_MS);
      expect(clock.pending()).toHaveLength(1);
    }
    expect(clock.fired()).toBe(100);
    await client.postMessage.mutate({ text: "still open" });
    await expect.poll(() => watched.events.map((e) => e.text), POLL).toEqual(["still open"]);
    expect(watched.error()).toBeUndefined();
    watched.unsubscribe();
    await expect.poll(() => s.api.streams.openFor("demo-client@clients"), POLL).toBe(0);
    expect(clock.pending()).toEqual([]);
    expect(clock.staleCancels()).toBe(0);
  });

  it("does not end early for an exp further away than setTimeout can wait (2^31-1 ms), and ends at it", async () => {
    const s = await start();
    // 40 days: past Node's timer ceiling of about 24.8 days, well before the claim bound.
    const token = await s.issuer.signToken({ expiresInSeconds: 40 * 86_400 });
    const watched = watch(fixedTokenClient(s, token));
    await expect.poll(() => watched.started(), POLL).toBe(1);
    clock.advance(2 ** 31 + RECHECK_MS);
    await expect.poll(() => clock.pending()[0]?.dueInMs, QUICK).toBe(RECHECK_MS);
    expect(watched.error()).toBeUndefined();
    // One re-check and the expiry watch re-armed once at its ceiling, not a timer per millisecond.
    expect(clock.fired()).toBeLessThanOrEqual(3);
    await fixedTokenClient(s, await s.token()).postMessage.mutate({ text: "day 25" });
    await expect.poll(() => watched.events.map((e) => e.text), POLL).toEqual(["day 25"]);

    advancePastExpiry(s, token);
    await expect.poll(() => watched.error()?.data?.code, POLL).toBe("UNAUTHORIZED");
    expect(watched.error()?.data).toMatchObject({ httpStatus: 401, reason: "expired" });
    expect(clock.staleCancels()).toBe(0);
  });
});

describe("onMessage: the client's link", () => {
  it("renews once when a connect is refused with 401, and reports a second refusal like a query's", async () => {
    const s = await start();
    const tokenSource = tokenSourceFor(s);
    const stale = await tokenSource.getToken();
    // The cached token's key is withdrawn: the api refuses it at connect (401 unknown_key).
    const oldKid = s.issuer.keys().signing;
    await s.issuer.rotateKey();
    s.issuer.removeKey(oldKid);
    await s.api.verifier.keySet.warm();
    s.issuer.resetRequestCounts();
    const watched = watch(renewingClient(s, tokenSource));
    await expect.poll(() => watched.started(), POLL).toBe(1);
    expect(watched.error()).toBeUndefined();
    expect(s.issuer.requestCounts().token).toBe(1);
    expect(await tokenSource.getToken()).not.toBe(stale);
    watched.unsubscribe();

    // A client without the scope: the 403 arrives with the api's error data, not a bare event.
    const limited = watch(renewingClient(s, tokenSourceFor(s, "limited-client")));
    await expect.poll(() => limited.error()?.data?.code, POLL).toBe("FORBIDDEN");
    expect(limited.error()?.data).toMatchObject({ httpStatus: 403, reason: "insufficient_scope" });
    expect(limited.started()).toBe(0);
  });
});

describe("onMessage: streams per subject", () => {
  it("refuses one stream over API_MAX_STREAMS_PER_SUBJECT with 429, and frees slots on close", async () => {
    const s = await start(2);
    const authorization = `Bearer ${await s.token()}`;
    const a = await openRaw(s, authorization);
    const b = await openRaw(s, authorization);
    expect([a.response.status, b.response.status]).toEqual([200, 200]);
    const c = await openRaw(s, authorization);
    expect(c.response.status).toBe(429);
    // tRPC writes the refusal as its SSE error event; the status is what clients act on.
    const body = await c.response.text();
    expect(body).toContain("event: serialized-error");
    expect(body).toContain('"code":"TOO_MANY_REQUESTS","httpStatus":429');
    // Another subject is not affected.
    const other = await openRaw(
      s,
      `Bearer ${await s.issuer.signToken({ subject: "other@clients", scope: "read:messages" })}`,
    );
    expect(other.response.status).toBe(200);
    a.close();
    await expect.poll(() => s.api.streams.openFor("demo-client@clients"), POLL).toBe(1);
    const d = await openRaw(s, authorization);
    expect(d.response.status).toBe(200);
    for (const stream of [b, d, other]) stream.close();
  });
});
