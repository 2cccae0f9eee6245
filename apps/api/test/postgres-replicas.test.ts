import { insertMessage, messagesAfter, openPostgres } from "@repo/db";
import { startTestPostgres, type TestPostgres } from "@repo/db/testing";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openMessageStream, type StreamedMessage } from "./support/message-stream.ts";
import { type SpawnedApi, spawnApi } from "./support/start-stack.ts";

/**
 * Several api processes (the real entry point) on one real Postgres server, as replicas behind a
 * load balancer are: one server for the whole file, started by the test (no docker).
 */
describe("api replicas on one Postgres database", () => {
  let postgres: TestPostgres;
  let issuer: LocalIssuer;
  let token: string;
  const apis: SpawnedApi[] = [];
  const killed = new Set<SpawnedApi>();

  beforeAll(async () => {
    [postgres, issuer] = await Promise.all([startTestPostgres(), startLocalIssuer()]);
    token = await issuer.signToken();
  }, 60_000);
  afterAll(async () => {
    for (const api of apis) api.kill("SIGKILL");
    await Promise.all(apis.map((api) => api.processExited));
    await issuer?.close();
    await postgres?.close();
  });

  /** The api's entry point on this database; resolved once it listens (not yet ready). */
  async function startReplica(): Promise<SpawnedApi> {
    const api = await spawnApi({
      AUTHACTION_ISSUER: issuer.issuer,
      AUTHACTION_AUDIENCE: issuer.audience,
      DATABASE_URL: postgres.url,
      METRICS_PORT: "0",
      METRICS_HOST: "127.0.0.1",
    });
    apis.push(api);
    return api;
  }

  async function ready(api: SpawnedApi): Promise<SpawnedApi> {
    await expect
      .poll(async () => (await fetch(`${api.url}/readyz`)).status, { timeout: 15_000 })
      .toBe(200);
    return api;
  }

  async function post(api: SpawnedApi, text: string, timeoutMs = 5_000) {
    const started = performance.now();
    const response = await fetch(`${api.url}/trpc/postMessage`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { result?: { data?: StreamedMessage } };
    return {
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      message: body.result?.data,
      elapsedMs: performance.now() - started,
    };
  }

  async function postOk(api: SpawnedApi, text: string): Promise<StreamedMessage> {
    const result = await post(api, text);
    expect(result.status).toBe(200);
    return result.message as StreamedMessage;
  }

  let a: SpawnedApi;
  let b: SpawnedApi;
  let lastSeenOnA = "";

  it("a message posted on replica B reaches a stream open on replica A", async () => {
    [a, b] = await Promise.all([startReplica().then(ready), startReplica().then(ready)]);
    const stream = openMessageStream(a.url, token);
    await stream.connected;
    const posted = await postOk(b, "from B");
    const [received] = await stream.waitFor(1);
    expect(received).toEqual(posted);
    lastSeenOnA = posted.id;
    stream.close();
  }, 60_000);

  it("after replica A is killed (SIGKILL), a stream reopened on a new A with lastEventId gets exactly the three posted on B meanwhile, then live ones", async () => {
    a.kill("SIGKILL");
    killed.add(a);
    await a.processExited;
    const meanwhile = [];
    for (const text of ["one", "two", "three"]) meanwhile.push(await postOk(b, text));
    a = await ready(await startReplica());
    const stream = openMessageStream(a.url, token, lastSeenOnA);
    expect(await stream.waitFor(3)).toEqual(meanwhile);
    const live = await postOk(b, "live");
    expect(await stream.waitFor(4)).toEqual([...meanwhile, live]);
    stream.close();
  }, 60_000);

  it("with Postgres stopped under load and started again: posts answer 503 with Retry-After within 2 s while it is down, a replica started meanwhile is live but not ready, an open stream resumes by itself, and every acknowledged message is stored once and streamed once, in order", async () => {
    const stream = openMessageStream(a.url, token, "0");
    await stream.connected;
    const acknowledged: StreamedMessage[] = [];
    const refused: Array<{ status: number; retryAfter: string | null; elapsedMs: number }> = [];
    let posting = true;
    let sent = 0;
    // Four posters on B, each one post at a time, until told to stop (bounded by the test's end).
    const posters = Array.from({ length: 4 }, async (_, poster) => {
      while (posting && sent < 2_000) {
        sent += 1;
        const result = await post(b, `load ${poster}-${sent}`).catch(() => undefined);
        if (result?.status === 200 && result.message !== undefined)
          acknowledged.push(result.message);
        else if (result !== undefined) refused.push(result);
      }
    });
    await expect.poll(() => acknowledged.length).toBeGreaterThanOrEqual(20);
    await postgres.stop();
    await expect.poll(() => refused.length).toBeGreaterThanOrEqual(8);

    // Started while the database is down: alive and answering public calls, not ready.
    const late = await startReplica();
    expect((await fetch(`${late.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${late.url}/public`)).status).toBe(200);
    const notReady = await fetch(`${late.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: "not_ready", reason: "database_unavailable" });
    const detail = await fetch(late.metricsUrl?.replace(/\/metrics$/, "/readyz") ?? "");
    expect(await detail.json()).toMatchObject({
      reason: "database_unavailable",
      database: { ready: false, lastError: expect.stringMatching(/\S/) },
    });

    const acknowledgedBeforeRestart = acknowledged.length;
    await postgres.start();
    await expect
      .poll(() => acknowledged.length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(acknowledgedBeforeRestart + 20);
    posting = false;
    await Promise.all(posters);
    await ready(late);

    for (const failure of refused) {
      expect(failure.status).toBe(503);
      expect(failure.retryAfter).toBe("1");
      expect(failure.elapsedMs).toBeLessThan(2_000);
    }
    const database = openPostgres({
      url: postgres.url,
      poolSize: 1,
      connectTimeoutMs: 2_000,
      statementTimeoutMs: 5_000,
    });
    try {
      const stored = await database.run((db) => messagesAfter(db, 0n, 10_000));
      const storedTexts = stored.map((row) => row.text);
      expect(new Set(storedTexts).size).toBe(storedTexts.length);
      const storedIds = new Set(stored.map((row) => String(row.id)));
      for (const message of acknowledged) expect(storedIds.has(message.id)).toBe(true);

      // The stream (opened from the start) has every stored message once, in id order.
      const all = await stream.waitFor(stored.length, 15_000);
      expect(all.map((m) => m.id)).toEqual(stored.map((row) => String(row.id)));
      // A row written by another program (not through the api) is streamed like any other.
      const direct = await database.run((db) => insertMessage(db, "written directly", "ops"));
      expect((await stream.waitFor(stored.length + 1)).at(-1)?.id).toBe(String(direct.id));
    } finally {
      await database.close();
      stream.close();
    }
  }, 120_000);

  it("after every process and Postgres itself restart, the messages are still there", async () => {
    const before = await postOk(b, "before the restart");
    await Promise.all(apis.filter((api) => !killed.has(api)).map((api) => api.close()));
    await postgres.stop();
    await postgres.start();
    const fresh = await ready(await startReplica());
    const stream = openMessageStream(fresh.url, token, String(BigInt(before.id) - 1n));
    expect(await stream.waitFor(1)).toEqual([before]);
    stream.close();
  }, 60_000);
});
