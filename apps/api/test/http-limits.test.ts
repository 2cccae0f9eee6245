import { connect, type Socket } from "node:net";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { API_BOUNDS } from "../src/config.ts";
import { rawExchange, rawStatus, send } from "./support/http-exchange.ts";
import { type InProcessApi, startApiFromEnv } from "./support/start-stack.ts";

// Hostile traffic at the HTTP edge: oversized batches, targets and header sections are refused
// before anything parses or runs them, and slow clients do not hold up others.
let issuer: LocalIssuer;
let token: string;
const apis: InProcessApi[] = [];

beforeAll(async () => {
  issuer = await startLocalIssuer();
  token = await issuer.signToken();
});
afterAll(async () => {
  await Promise.all(apis.map((api) => api.close()));
  await issuer.close();
});

/** An api whose key set is loaded (it is fetched at start), so no request fetches anything. */
async function api(env: Record<string, string> = {}, fastPath = true): Promise<InProcessApi> {
  const started = await startApiFromEnv(
    {
      AUTHACTION_ISSUER: issuer.issuer,
      AUTHACTION_AUDIENCE: issuer.audience,
      AUTHACTION_JWKS_URI: issuer.jwksUri,
      ...env,
    },
    { fastPath },
  );
  apis.push(started);
  await vi.waitFor(() => expect(started.verifier.keySet.status().ready).toBe(true));
  return started;
}

const enc = encodeURIComponent;
const batchOf = (path: string, calls: number) =>
  `/trpc/${Array.from({ length: calls }, () => path).join(",")}?batch=1&input=${enc("{}")}`;

describe("API_MAX_BATCH_SIZE", () => {
  it("defaults to 10", () => {
    expect(API_BOUNDS.maxBatchSize.default).toBe(10);
  });

  for (const fastPath of [true, false]) {
    it(`a GET carrying 1,500 calls of secret is 400 before any call runs or logs (fast path ${fastPath ? "on" : "off"})`, async () => {
      // The URL limit is raised so that the batch limit is what refuses it.
      const server = await api({ API_MAX_URL_BYTES: "65536" }, fastPath);
      const before = issuer.requestCounts();
      const res = await send(server.url, batchOf("secret", 1_500), {
        authorization: "Bearer not-a-token",
      });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({
        error: {
          message: "Batch call exceeds maximum size",
          code: -32600,
          data: { code: "BAD_REQUEST", httpStatus: 400 },
        },
      });
      expect(res.headers["www-authenticate"]).toBeUndefined();
      // A call that ran would have logged its refusal (the token is malformed) or fetched keys.
      expect(server.logs.filter((line) => line.path !== undefined)).toEqual([]);
      expect(server.logs.filter((line) => line.event === "auth_refused")).toEqual([]);
      expect(issuer.requestCounts()).toEqual(before);
    });
  }

  it("a batch at the limit is served; one call more is 400, on the fast path and officially", async () => {
    const server = await api({ API_MAX_BATCH_SIZE: "3" });
    const official = await api({ API_MAX_BATCH_SIZE: "3" }, false);
    expect((await send(official.url, batchOf("public", 3))).status).toBe(200);
    expect((await send(official.url, batchOf("public", 4))).status).toBe(400);
    const ok = await send(server.url, batchOf("public", 3));
    expect(ok.status).toBe(200);
    expect(ok.json).toHaveLength(3);
    const tooMany = await send(server.url, batchOf("public", 4));
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toMatchObject({ error: { data: { code: "BAD_REQUEST" } } });
    // A streaming batch takes the official adapter: the same bound holds there.
    const streamed = await send(server.url, batchOf("public", 4), {
      headers: { "trpc-accept": "application/jsonl" },
    });
    expect(streamed.status).toBe(400);
    expect(streamed.json).toMatchObject({ error: { data: { code: "BAD_REQUEST" } } });
  });
});

describe("API_MAX_URL_BYTES", () => {
  it("defaults to 8192 and refuses the 1,500-call GET with 414 before routing", async () => {
    expect(API_BOUNDS.maxUrlBytes.default).toBe(8_192);
    const server = await api();
    const res = await send(server.url, batchOf("secret", 1_500), {
      authorization: `Bearer ${token}`,
    });
    expect(res.status).toBe(414);
    expect(res.json).toEqual({ error: "uri_too_long", message: "Request target over 8192 bytes" });
    expect(res.headers.connection).toBe("close");
    expect(server.logs.filter((line) => line.path !== undefined)).toEqual([]);
  });

  it("a target exactly at the limit is routed", async () => {
    const server = await api({ API_MAX_URL_BYTES: "256" });
    const path = `/public?${"a".repeat(256 - "/public?".length)}`;
    expect((await send(server.url, path)).status).toBe(200);
    expect((await send(server.url, `${path}a`)).status).toBe(414);
  });
});

describe("API_MAX_HEADER_BYTES", () => {
  it("a header section over the limit is 431, not the clientError handler's 400", async () => {
    const server = await api({ API_MAX_HEADER_BYTES: "2048" });
    const answer = await rawExchange(
      server.url,
      `GET /public HTTP/1.1\r\nhost: x\r\nx-filler: ${"a".repeat(4096)}\r\n\r\n`,
    );
    expect(rawStatus(answer)).toBe(431);
    const small = await send(server.url, "/public", { headers: { "x-filler": "a".repeat(1024) } });
    expect(small.status).toBe(200);
  });

  it("malformed HTTP is still a plain 400", async () => {
    const server = await api();
    expect(rawStatus(await rawExchange(server.url, "NOT HTTP\r\n\r\n"))).toBe(400);
  });
});

describe("keep-alive", () => {
  it("announces the 65 s default keep-alive timeout, above common load balancer idle timeouts", async () => {
    const server = await api();
    const res = await send(server.url, "/healthz");
    expect(res.headers["keep-alive"]).toBe("timeout=65");
  });

  it("announces a configured keep-alive timeout", async () => {
    const server = await api({
      API_KEEP_ALIVE_TIMEOUT_MS: "5000",
      API_HEADERS_TIMEOUT_MS: "6000",
      API_REQUEST_TIMEOUT_MS: "6000",
    });
    expect((await send(server.url, "/healthz")).headers["keep-alive"]).toBe("timeout=5");
  });
});

describe("slow clients", () => {
  it("200 connections sending their headers byte by byte do not stop a valid request being answered", async () => {
    const server = await api();
    const url = new URL(server.url);
    const sockets: Socket[] = [];
    const request = "GET /public HTTP/1.1\r\nhost: localhost\r\nx-slow: ";
    await Promise.all(
      Array.from(
        { length: 200 },
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(Number(url.port), url.hostname, () => resolve());
            socket.on("error", () => {});
            socket.once("error", reject);
            sockets.push(socket);
          }),
      ),
    );
    // One byte at a time on every connection, for a bounded number of rounds.
    let round = 0;
    const drip = setInterval(() => {
      for (const socket of sockets) socket.write(request[round % request.length] as string);
      round++;
    }, 5);
    try {
      const res = await send(server.url, "/trpc/protected", { authorization: `Bearer ${token}` });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        result: { data: { message: "This is a protected message!" } },
      });
      expect(sockets.every((socket) => !socket.destroyed)).toBe(true);
    } finally {
      clearInterval(drip);
      for (const socket of sockets) socket.destroy();
    }
  });
});
