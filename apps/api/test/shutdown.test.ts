import { request } from "node:http";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SpawnedApi, spawnApi } from "./support/start-stack.ts";

// SIGTERM on the real entry point (what `pnpm --filter @repo/api start` runs): readiness flips
// first, requests are served through the delay, in-flight ones finish, and the process exits 0.
let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AUTHACTION_ISSUER: issuer.issuer,
    AUTHACTION_AUDIENCE: issuer.audience,
    AUTHACTION_JWKS_URI: issuer.jwksUri,
    ...extra,
  };
}

type Outcome =
  | { kind: "answered"; status: number; body: string }
  | { kind: "refused" }
  | { kind: "lost"; code: string };

/**
 * One request on its own connection: answered, refused at connect (never accepted), or lost.
 * `onSent` runs once the request has been written to the connected socket.
 */
function once(
  base: string,
  path: string,
  authorization?: string,
  onSent?: () => void,
): Promise<Outcome> {
  const url = new URL(path, base);
  return new Promise((resolve) => {
    let connected = false;
    const req = request(
      url,
      { agent: false, headers: authorization === undefined ? {} : { authorization } },
      (res) => {
        let body = "";
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ kind: "answered", status: res.statusCode ?? 0, body }));
        res.on("error", (error: NodeJS.ErrnoException) =>
          resolve({ kind: "lost", code: error.code ?? "unknown" }),
        );
      },
    );
    req.on("socket", (socket) => socket.once("connect", () => (connected = true)));
    if (onSent !== undefined) req.once("finish", onSent);
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve(
        !connected && error.code === "ECONNREFUSED"
          ? { kind: "refused" }
          : { kind: "lost", code: error.code ?? "unknown" },
      ),
    );
    req.end();
  });
}

/**
 * A request left waiting at the api (on a hanging JWKS fetch), known to be accepted: it was
 * written, and a request sent after it on another connection has been answered (the listener
 * accepts connections in order, so the api holds the first one).
 */
async function waitingRequest(
  api: SpawnedApi,
  authorization: string,
): Promise<{ outcome: Promise<Outcome> }> {
  let sent: () => void = () => {};
  const written = new Promise<void>((resolve) => {
    sent = resolve;
  });
  const outcome = once(api.url, "/protected", authorization, sent);
  await written;
  expect((await once(api.url, "/healthz")).kind).toBe("answered");
  // Wrapped: an async function returning the promise itself would make its caller wait for it.
  return { outcome };
}

async function readyz(api: SpawnedApi): Promise<{ status: number; body: unknown }> {
  const outcome = await once(api.url, "/readyz");
  if (outcome.kind !== "answered") throw new Error(`readyz ${outcome.kind}`);
  return { status: outcome.status, body: JSON.parse(outcome.body) };
}

describe("SIGTERM", () => {
  it("flips readiness at once, serves through the delay, loses no accepted request and exits 0", async () => {
    // A delay no loaded machine outlasts between the signal and the checks below; the second
    // signal then ends it (as an operator's second Ctrl-C does), so the test waits on no timer.
    const api = await spawnApi(
      env({ API_SHUTDOWN_DELAY_MS: "60000", AUTHACTION_JWKS_WARM: "true" }),
    );
    const token = await issuer.signToken();
    expect((await readyz(api)).status).toBe(200);

    // Load: four workers, each sending one request after another, as a load balancer would until
    // it sees readiness fail.
    const outcomes: Outcome[] = [];
    let stop = false;
    const worker = async (path: string, authorization?: string) => {
      for (let i = 0; i < 10_000 && !stop; i++) {
        const outcome = await once(api.url, path, authorization);
        outcomes.push(outcome);
        if (outcome.kind !== "answered") return;
      }
    };
    const load = Promise.all([
      worker("/trpc/protected", `Bearer ${token}`),
      worker("/protected", `Bearer ${token}`),
      worker("/trpc/public"),
      worker("/public"),
    ]);
    await expect.poll(() => outcomes.length).toBeGreaterThan(8);

    api.kill("SIGTERM");
    await expect.poll(async () => (await readyz(api)).status).toBe(503);
    expect((await readyz(api)).body).toEqual({ status: "not_ready", reason: "shutting_down" });
    // Readiness is 503, yet requests are still served during API_SHUTDOWN_DELAY_MS.
    expect(await once(api.url, "/protected", `Bearer ${token}`)).toMatchObject({
      kind: "answered",
      status: 200,
    });
    stop = true;
    await load;
    api.kill("SIGTERM");
    expect(await api.exited).toBe(0);
    expect(outcomes.filter((o) => o.kind !== "answered")).toEqual([]);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 200 });
    // Once it has exited, nothing listens.
    expect(await once(api.url, "/healthz")).toEqual({ kind: "refused" });
    const lines = api.logs.map((line) => line.event);
    expect(lines.indexOf("shutdown")).toBeGreaterThan(-1);
    expect(lines.indexOf("shutdown_hurried")).toBeGreaterThan(lines.indexOf("shutdown"));
    expect(lines.at(-1), api.rawLogs()).toBe("stopped");
  });

  it("an in-flight request waiting on a slow JWKS fetch finishes with 200 before the process exits 0", async () => {
    // The JWKS hangs from the start: the fetch the api makes as it starts is the one the request
    // waits on. A long delay keeps the 503 of /readyz observable; a second signal ends it.
    issuer.setJwksMode("hang");
    const jwksBefore = issuer.requestCounts().jwks;
    const api = await spawnApi(
      env({ AUTHACTION_JWKS_TIMEOUT_MS: "15000", API_SHUTDOWN_DELAY_MS: "60000" }),
    );
    try {
      const { outcome: pending } = await waitingRequest(api, `Bearer ${await issuer.signToken()}`);
      await expect.poll(() => issuer.requestCounts().jwks).toBeGreaterThan(jwksBefore);

      api.kill("SIGTERM");
      await expect.poll(async () => (await readyz(api)).status).toBe(503);
      api.kill("SIGTERM");
      // The listener closes; the request already accepted keeps waiting for its keys.
      await expect.poll(async () => (await once(api.url, "/healthz")).kind).toBe("refused");
      issuer.setJwksMode("ok");
      const outcome = await pending;
      expect(outcome).toMatchObject({ kind: "answered", status: 200 });
      expect(await api.exited).toBe(0);
    } finally {
      issuer.setJwksMode("ok");
    }
  });

  it("a request that outlives API_SHUTDOWN_TIMEOUT_MS is cut, and the process still exits 0", async () => {
    issuer.setJwksMode("hang");
    const jwksBefore = issuer.requestCounts().jwks;
    const api = await spawnApi(
      env({ AUTHACTION_JWKS_TIMEOUT_MS: "15000", API_SHUTDOWN_TIMEOUT_MS: "300" }),
    );
    try {
      const { outcome: pending } = await waitingRequest(api, `Bearer ${await issuer.signToken()}`);
      await expect.poll(() => issuer.requestCounts().jwks).toBeGreaterThan(jwksBefore);
      api.kill("SIGTERM");
      expect(await api.exited).toBe(0);
      expect(await pending).toMatchObject({ kind: "lost" });
    } finally {
      issuer.setJwksMode("ok");
    }
  });

  it("idle keep-alive connections do not hold the process: it exits 0 while a client keeps one open", async () => {
    const api = await spawnApi(env());
    const { Agent } = await import("node:http");
    const agent = new Agent({ keepAlive: true });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        request(new URL("/healthz", api.url), { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        })
          .on("error", reject)
          .end();
      });
      expect(status).toBe(200);
      api.kill("SIGTERM");
      expect(await api.exited).toBe(0);
    } finally {
      agent.destroy();
    }
  });
});
