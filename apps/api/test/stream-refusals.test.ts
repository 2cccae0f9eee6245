import { type AppRouter, protectedProcedure, router } from "@repo/api-router";
import { createTRPCClient, httpBatchStreamLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawExchange, rawStatus, send } from "./support/http-exchange.ts";
import { withMetadata } from "./support/resource-metadata.ts";
import { type Stack, startStack } from "./support/start-stack.ts";

// A jsonl stream (httpBatchStreamLink) sends its 200 head before any call has run. When the whole
// request is refused, it must answer as every other transport does: the refusal's status and
// challenge, not a 200 that monitoring counts as a success.
let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  token = await stack.token();
});
afterAll(async () => {
  await stack.close();
});

const enc = encodeURIComponent;
const STREAM = { "trpc-accept": "application/jsonl" };
const protectedBatch = `/trpc/protected?batch=1&input=${enc("{}")}`;

function refusalsFor(path: string) {
  return stack.logs.filter((line) => line.event === "auth_refused" && line.path === path).length;
}

describe("streamed tRPC calls that are refused as a whole", () => {
  it("no token: 401 with the bare challenge and tRPC's error envelope", async () => {
    const before = refusalsFor("protected");
    const res = await send(stack.api.url, protectedBatch, { headers: STREAM });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(withMetadata('Bearer realm="api"', stack.api.url));
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.json).toEqual({
      error: {
        message: "Authorization header required",
        code: -32001,
        data: { code: "UNAUTHORIZED", httpStatus: 401, reason: "missing_token" },
      },
    });
    expect(refusalsFor("protected")).toBe(before + 1);
  });

  // tRPC decodes the whole path, then splits a batch on commas, and reads the path through the
  // WHATWG URL parser: every spelling that makes it call protected and secret is refused as one.
  it.each([
    ["a comma", "/trpc/protected,secret?batch=1"],
    ["%2C", "/trpc/protected%2Csecret?batch=1"],
    ["%2c", "/trpc/protected%2csecret?batch=1"],
    ["a percent-encoded name and %2C", "/trpc/prot%65cted%2Cs%65cret?batch=1"],
    ["a trailing slash", "/trpc/protected%2Csecret/?batch=1"],
    ["a dot segment", "/trpc/x/../protected%2Csecret?batch=1"],
    ["an encoded dot segment", "/trpc/x/%2E%2e/protected,secret?batch=1"],
    ["a fragment after the query", "/trpc/protected,secret?batch=1#x"],
  ])(
    "no token, protected and secret spelled with %s: 401 with the challenge, before the stream",
    async (_, target) => {
      const res = await send(stack.api.url, target, { headers: STREAM });
      expect(res.status, target).toBe(401);
      expect(res.headers["www-authenticate"]).toBe(
        withMetadata('Bearer realm="api"', stack.api.url),
      );
      expect(res.headers["transfer-encoding"]).toBeUndefined();
      expect(res.json).toMatchObject({
        error: { data: { code: "UNAUTHORIZED", httpStatus: 401, reason: "missing_token" } },
      });
    },
  );

  it("no token, a backslash the URL parser reads as a slash: 401 before the stream", async () => {
    // No HTTP client sends a backslash in a path; Node's server takes it as it comes.
    const answer = await rawExchange(
      stack.api.url,
      "GET /trpc/x\\..\\protected%2Csecret?batch=1 HTTP/1.1\r\nHost: localhost\r\n" +
        "trpc-accept: application/jsonl\r\nConnection: close\r\n\r\n",
    );
    expect(rawStatus(answer)).toBe(401);
    expect(answer).toMatch(/\r\nwww-authenticate: Bearer realm="api"/i);
  });

  it("a forged token: 401 invalid_token", async () => {
    const forged = `${token.slice(0, -4)}AAAA`;
    const res = await send(stack.api.url, protectedBatch, {
      headers: STREAM,
      authorization: `Bearer ${forged}`,
    });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer realm="api", error="invalid_token"/);
    expect(res.text).not.toContain(forged);
  });

  it("a malformed Authorization header: 400 invalid_request, also with Accept: application/jsonl", async () => {
    const res = await send(stack.api.url, `/trpc/protected,secret?batch=1&input=${enc("{}")}`, {
      headers: { accept: "application/jsonl" },
      authorization: "Bearer a b",
    });
    expect(res.status).toBe(400);
    expect(res.headers["www-authenticate"]).toMatch(/error="invalid_request"/);
  });

  it("keys unavailable: 503 with Retry-After", async () => {
    const fresh = await startStack({ verifier: { keySet: { timeoutMs: 200 } }, jwksMode: "error" });
    try {
      const res = await send(fresh.api.url, protectedBatch, {
        headers: STREAM,
        authorization: `Bearer ${await fresh.issuer.signToken()}`,
      });
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
      expect(res.headers["www-authenticate"]).toBe(
        withMetadata('Bearer realm="api"', fresh.api.url),
      );
    } finally {
      await fresh.close();
    }
  });

  it("the stream link reads the refusal as a TRPCClientError UNAUTHORIZED", async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchStreamLink({ url: `${stack.api.url}/trpc` })],
    });
    const error = await client.protected.query().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data).toMatchObject({
      code: "UNAUTHORIZED",
      httpStatus: 401,
      reason: "missing_token",
    });
  });
});

describe("streamed mutations (POST)", () => {
  it("no token: 401 with the challenge before the stream, the message not posted", async () => {
    const res = await send(stack.api.url, "/trpc/postMessage?batch=1", {
      method: "POST",
      headers: { ...STREAM, "content-type": "application/json" },
      body: JSON.stringify({ 0: { text: "refused" } }),
    });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(withMetadata('Bearer realm="api"', stack.api.url));
  });
});

describe("the check before a stream never runs a resolver", () => {
  let runs = 0;
  const counting = router({
    count: protectedProcedure.query(() => ++runs),
    bump: protectedProcedure.mutation(() => ++runs),
  });
  let own: Stack;
  beforeAll(async () => {
    own = await startStack({ api: { router: counting } });
  });
  afterAll(async () => {
    await own.close();
  });

  it.each([
    ["a query (GET)", "GET", "/trpc/count,count?batch=1", 2],
    ["a mutation (POST)", "POST", "/trpc/bump?batch=1", 1],
  ])(
    "%s with a valid token: each resolver runs once, in the stream",
    async (_, method, path, calls) => {
      const before = runs;
      const res = await send(own.api.url, path, {
        method,
        headers: { ...STREAM, "content-type": "application/json" },
        authorization: `Bearer ${await own.token()}`,
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      expect(res.status).toBe(200);
      expect(runs).toBe(before + calls);
    },
  );

  it("with no token: refused before the stream, no resolver run", async () => {
    const before = runs;
    const res = await send(own.api.url, "/trpc/count,count?batch=1", { headers: STREAM });
    expect(res.status).toBe(401);
    expect(runs).toBe(before);
  });
});

describe("streams that are not refused as a whole still stream", () => {
  it("a valid token: 200 jsonl with the data", async () => {
    const res = await send(stack.api.url, protectedBatch, {
      headers: STREAM,
      authorization: `Bearer ${token}`,
    });
    expect(res.status).toBe(200);
    expect(res.headers["transfer-encoding"]).toBe("chunked");
    expect(res.text).toContain("This is a protected message!");
  });

  it("public with protected and no token: 200, the public data and the refusal inside the stream", async () => {
    const res = await send(stack.api.url, `/trpc/public,protected?batch=1&input=${enc("{}")}`, {
      headers: STREAM,
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain("This is a public message!");
    expect(res.text).toContain("UNAUTHORIZED");
  });

  it("the stream link gets protected data with a valid token", async () => {
    const client = createTRPCClient<AppRouter>({
      links: [
        httpBatchStreamLink({
          url: `${stack.api.url}/trpc`,
          headers: { authorization: `Bearer ${token}` },
        }),
      ],
    });
    await expect(client.protected.query()).resolves.toMatchObject({
      message: "This is a protected message!",
    });
  });
});

describe("streamed scope refusals", () => {
  it("secret with a token lacking its scope: 403 insufficient_scope before the stream starts", async () => {
    const limited = await stack.token("limited-client");
    const before = refusalsFor("secret");
    const res = await send(stack.api.url, `/trpc/secret?batch=1&input=${enc("{}")}`, {
      headers: STREAM,
      authorization: `Bearer ${limited}`,
    });
    expect(res.status).toBe(403);
    expect(res.headers["www-authenticate"]).toMatch(
      /^Bearer realm="api", error="insufficient_scope", .*scope="read:secret", resource_metadata="[^"]+"$/,
    );
    expect(res.json).toMatchObject({
      error: { data: { code: "FORBIDDEN", httpStatus: 403, reason: "insufficient_scope" } },
    });
    expect(refusalsFor("secret")).toBe(before + 1);
  });

  it("protected and secret with that token: one call is served, so the stream runs (200) with the 403 inside", async () => {
    const limited = await stack.token("limited-client");
    const before = refusalsFor("secret");
    const res = await send(stack.api.url, `/trpc/protected,secret?batch=1&input=${enc("{}")}`, {
      headers: STREAM,
      authorization: `Bearer ${limited}`,
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain("This is a protected message!");
    expect(res.text).toContain("FORBIDDEN");
    // Logged once: by the stream, not also by the check before it.
    expect(refusalsFor("secret")).toBe(before + 1);
  });
});
