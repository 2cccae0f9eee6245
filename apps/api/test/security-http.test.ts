import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Exchange, rawExchange, rawStatus, send } from "./support/http-exchange.ts";
import { withMetadata } from "./support/resource-metadata.ts";
import { createFixture, type Fixture, stackEnv } from "./support/security-fixture.ts";
import { type ApiUnderTest, startApiFromEnv } from "./support/start-stack.ts";

// HTTP: bodies over the documented limit, wrong methods, unknown paths, malformed HTTP
// and batches mixing public and refused calls; nothing a client sends may crash the process or
// make it answer 5xx.
const MAX_BODY_BYTES = 4096;
let f: Fixture;
let api: ApiUnderTest;
let token: string;

beforeAll(async () => {
  f = await createFixture();
  api = await startApiFromEnv({
    ...stackEnv("default", f),
    API_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
  });
  token = await f.issuer.signToken();
});
afterAll(async () => {
  await api.close();
  await f.close();
});

const enc = encodeURIComponent;

async function expectAlive(): Promise<void> {
  const res = await send(api.url, "/protected", { authorization: `Bearer ${token}` });
  expect(res.status).toBe(200);
}

function expectTrpcError(res: Exchange, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.json).toMatchObject({ error: { data: { code, httpStatus: status } } });
  expect(res.text).not.toMatch(/"stack"|at .*\.ts:\d+/);
}

describe("request bodies over API_MAX_BODY_BYTES", () => {
  it("POST /trpc/protected with a declared body over the limit is 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await send(api.url, "/trpc/protected", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES) }),
    });
    expectTrpcError(res, 413, "PAYLOAD_TOO_LARGE");
    await expectAlive();
  });

  it("POST to a REST route with a body over the limit is 413 with a stable code", async () => {
    const res = await send(api.url, "/public", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(MAX_BODY_BYTES + 1),
    });
    expect(res.status).toBe(413);
    expect(res.json).toEqual({
      error: "payload_too_large",
      message: `Request body over ${MAX_BODY_BYTES} bytes`,
    });
    await expectAlive();
  });

  it("a body at the limit is not refused for its size", async () => {
    const res = await send(api.url, "/trpc/protected", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(MAX_BODY_BYTES),
    });
    expect(res.status).toBe(405);
  });

  it("a chunked body of 1 MiB without Content-Length is answered without a 5xx", async () => {
    const answer = await rawExchange(
      api.url,
      Buffer.concat([
        Buffer.from(
          "POST /trpc/protected HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n" +
            "transfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        ),
        ...Array.from({ length: 16 }, () => Buffer.from(`10000\r\n${"x".repeat(0x10000)}\r\n`)),
        Buffer.from("0\r\n\r\n"),
      ]),
    );
    expect(rawStatus(answer)).toBeGreaterThanOrEqual(400);
    expect(rawStatus(answer)).toBeLessThan(500);
    await expectAlive();
  });
});

describe("wrong methods and unknown paths", () => {
  it.each(["PUT", "DELETE", "PATCH", "OPTIONS"])(
    "%s /trpc/protected is 405 with Allow",
    async (method) => {
      const res = await send(api.url, "/trpc/protected", {
        method,
        authorization: `Bearer ${token}`,
      });
      expectTrpcError(res, 405, "METHOD_NOT_SUPPORTED");
      expect(res.headers.allow).toBe("GET, POST");
    },
  );

  it("HEAD /trpc/protected is 405 rather than tRPC's empty 204 that verified nothing", async () => {
    const res = await send(api.url, "/trpc/protected", { method: "HEAD" });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET, POST");
    expect(res.text).toBe("");
  });

  it("POST to a query procedure is 405 METHOD_NOT_SUPPORTED", async () => {
    const res = await send(api.url, "/trpc/protected", {
      method: "POST",
      headers: { "content-type": "application/json" },
      authorization: `Bearer ${token}`,
      body: "{}",
    });
    expectTrpcError(res, 405, "METHOD_NOT_SUPPORTED");
  });

  it.each(["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])(
    "%s /protected is 405 with Allow: GET, HEAD",
    async (method) => {
      const res = await send(api.url, "/protected", { method, authorization: `Bearer ${token}` });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe("GET, HEAD");
      expect(res.json).toEqual({ error: "method_not_allowed", message: "Use GET" });
    },
  );

  it("HEAD /protected without credentials is 401 with the challenge and no body", async () => {
    const res = await send(api.url, "/protected", { method: "HEAD" });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(withMetadata('Bearer realm="api"', api.url));
    expect(res.text).toBe("");
  });

  it.each([
    ["/nope", 404],
    ["/trpc", 404],
    ["/protected/", 404],
    ["/PROTECTED", 404],
    ["/%2e%2e/protected", 404],
    ["/protected%00", 404],
  ])("GET %s is %i JSON", async (path, status) => {
    const res = await send(api.url, path, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error: "not_found" });
  });

  it("an unknown procedure is 404 NOT_FOUND, even with a valid token", async () => {
    const res = await send(api.url, "/trpc/admin", { authorization: `Bearer ${token}` });
    expectTrpcError(res, 404, "NOT_FOUND");
  });
});

// An error body may be shown by whoever reads it (a page, a terminal, a log viewer): it never
// repeats the path, header or body the caller chose. Each hostile value carries "zzhostile".
describe("error bodies never repeat the caller's path or input", () => {
  const HOSTILE = [
    ["long", `zzhostile${"A".repeat(3000)}`],
    ["control characters", "zzhostile\u0000\u001b[31m\r\nforged"],
    ["HTML", "<script>alert('zzhostile')</script>"],
  ] as const;

  /** The whole error for an unknown procedure, alone or in a batch: a fixed message, no path. */
  const NO_SUCH_PROCEDURE = {
    error: {
      message: "No such procedure",
      code: -32004,
      data: { code: "NOT_FOUND", httpStatus: 404 },
    },
  };

  function expectNoEcho(res: Exchange): void {
    expect(res.text).not.toMatch(/zzhostile/i);
  }

  it.each(HOSTILE)(
    "an unknown procedure with a %s name: 404 with a fixed message and no path",
    async (_, name) => {
      const res = await send(api.url, `/trpc/${enc(name)}`, { authorization: `Bearer ${token}` });
      expectTrpcError(res, 404, "NOT_FOUND");
      expect(res.json).toEqual(NO_SUCH_PROCEDURE);
      expectNoEcho(res);
    },
  );

  it.each(HOSTILE)(
    "a batch with a %s unknown procedure: 207, its item without the name",
    async (_, name) => {
      const res = await send(api.url, `/trpc/public,${enc(name)}?batch=1`);
      expect(res.status).toBe(207);
      expect((res.json as unknown[])[1]).toEqual(NO_SUCH_PROCEDURE);
      expectNoEcho(res);
    },
  );

  it.each(HOSTILE)(
    "a %s path with malformed percent-encoding: 400 with a fixed message",
    async (_, name) => {
      const res = await send(api.url, `/trpc/${enc(name)}%E0%A4%A`);
      expectTrpcError(res, 400, "BAD_REQUEST");
      expect(res.json).toMatchObject({
        error: { message: "Invalid percent-encoding in the path" },
      });
      expectNoEcho(res);
    },
  );

  it.each(HOSTILE)("a %s content-type: 415 with a fixed message", async (_, value) => {
    const contentType = `text/${value.replace(/[^\x21-\x7e]/g, "")}`;
    const res = await send(api.url, "/trpc/postMessage", {
      method: "POST",
      headers: { "content-type": contentType },
      authorization: `Bearer ${token}`,
      body: "x",
    });
    expectTrpcError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(res.json).toMatchObject({ error: { message: "Unsupported content-type" } });
    expectNoEcho(res);
  });

  it.each(HOSTILE)("a %s unknown path outside /trpc: 404 with a fixed message", async (_, name) => {
    const res = await send(api.url, `/${enc(name)}/<b>zzhostile</b>`);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: "not_found", message: "Not found" });
    expectNoEcho(res);
  });
});

describe("malformed HTTP never crashes the process", () => {
  it.each([
    ["binary garbage", "\u0000\u0001\u0002GARBAGE\r\n\r\n"],
    ["a request line with no version", "GET /protected\r\n\r\n"],
    ["a header without a colon", "GET /protected HTTP/1.1\r\nhost: x\r\nauthorization\r\n\r\n"],
    [
      "a NUL in a header value",
      "GET /protected HTTP/1.1\r\nhost: x\r\nauthorization: Bearer a\u0000b\r\n\r\n",
    ],
    [
      "a header block over 16 KiB",
      `GET /protected HTTP/1.1\r\nhost: x\r\nx-pad: ${"a".repeat(20_000)}\r\n\r\n`,
    ],
    [
      "an invalid Content-Length",
      "POST /trpc/protected HTTP/1.1\r\nhost: x\r\ncontent-length: -1\r\n\r\n",
    ],
    [
      "both Content-Length and chunked",
      "POST /trpc/protected HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
    ],
  ])("%s gets a 4xx and the api keeps answering", async (_name, bytes) => {
    const status = rawStatus(await rawExchange(api.url, bytes));
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    await expectAlive();
  });

  it("an invalid Host header on the tRPC adapter path is 400, not 500", async () => {
    const answer = await rawExchange(
      api.url,
      "GET /trpc/protected?x=1 HTTP/1.1\r\nhost: [::1\r\nconnection: close\r\n\r\n",
    );
    expect(rawStatus(answer)).toBe(400);
    await expectAlive();
  });

  it("an absolute-form request target does not reach a route", async () => {
    const answer = await rawExchange(
      api.url,
      `GET http://evil.example/protected HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\nconnection: close\r\n\r\n`,
    );
    expect(rawStatus(answer)).toBe(404);
  });

  it.each([
    ["invalid percent-encoding in the path", "/trpc/%E0%A4%A"],
    ["invalid JSON input", `/trpc/protected?input=${enc("{")}`],
    ["deeply nested input", `/trpc/public?input=${enc(`${"[".repeat(3000)}${"]".repeat(3000)}`)}`],
    ["a batch of 300 calls", `/trpc/${Array(300).fill("protected").join(",")}?batch=1`],
    ["a batch naming unknown and odd paths", `/trpc/public,__proto__,constructor,toString?batch=1`],
    [
      "a batch with input that is not an object",
      `/trpc/public,protected?batch=1&input=${enc("[1,2]")}`,
    ],
    ["an unknown query parameter", "/trpc/protected?access_token=abc&x=1"],
  ])("%s: no 5xx", async (_name, path) => {
    const res = await send(api.url, path, { authorization: "Bearer not.a.token" });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(/"stack"|at .*\.ts:\d+/);
  });
});

describe("a batch with a public call keeps working when the protected one is refused", () => {
  const invalid = () => `Bearer ${token.slice(0, -8)}AAAAAAAA`;

  // The fast path takes plain batches; an extra query parameter sends the same batch through
  // tRPC's official adapter. Both must answer alike.
  it.each([
    ["fast path", ""],
    ["official adapter", "&via=adapter"],
  ])(
    "%s: 207, public data, protected UNAUTHORIZED invalid_token, challenge on the response",
    async (_name, extra) => {
      const res = await send(api.url, `/trpc/public,protected?batch=1&input=${enc("{}")}${extra}`, {
        authorization: invalid(),
      });
      expect(res.status).toBe(207);
      expect(res.headers["www-authenticate"]).toMatch(
        /^Bearer realm="api", error="invalid_token", error_description="Token signature is invalid", resource_metadata="[^"]+"$/,
      );
      const [pub, prot] = res.json as [unknown, unknown];
      expect(pub).toEqual({ result: { data: { message: "This is a public message!" } } });
      expect(prot).toMatchObject({
        error: { data: { code: "UNAUTHORIZED", httpStatus: 401, reason: "bad_signature" } },
      });
    },
  );

  it("a malformed header: 207, public data, protected BAD_REQUEST invalid_request", async () => {
    const res = await send(api.url, "/trpc/public,protected?batch=1", {
      authorization: "Basic abc",
    });
    expect(res.status).toBe(207);
    expect(res.headers["www-authenticate"]).toBe(
      withMetadata(
        'Bearer realm="api", error="invalid_request", error_description="Authorization scheme must be Bearer or DPoP"',
        api.url,
      ),
    );
    expect((res.json as unknown[])[0]).toEqual({
      result: { data: { message: "This is a public message!" } },
    });
    expect((res.json as unknown[])[1]).toMatchObject({
      error: { data: { code: "BAD_REQUEST", httpStatus: 400, reason: "invalid_request" } },
    });
  });

  it("a batch's refused calls are logged in one line that counts them, never the token", async () => {
    const before = api.logs.filter((line) => line.event === "auth_refused").length;
    const auth = invalid();
    await send(api.url, "/trpc/public,protected,secret?batch=1", { authorization: auth });
    const after = api.logs.filter((line) => line.event === "auth_refused");
    expect(after.slice(before)).toEqual([
      expect.objectContaining({ path: "protected", calls: 2, paths: ["protected", "secret"] }),
    ]);
    expect(api.rawLogs()).not.toContain(auth.slice(7));
  });
});

let logsBefore = 0;
beforeEach(() => {
  logsBefore = api.logs.length;
});

afterEach(async () => {
  // Whatever the test sent, the process still answers and logged no failure of its own.
  await expectAlive();
  const failures = api.logs
    .slice(logsBefore)
    .filter((line) => line.event === "request_failed" || line.event === "procedure_error");
  expect(failures).toEqual([]);
});
