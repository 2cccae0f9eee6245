import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type AuthError,
  type ClientCredentialsOptions,
  createClientCredentialsTokenSource,
} from "../src/client.ts";
import { ManualClock } from "../src/testing.ts";
import { authErrorOf } from "./support/auth-error-of.ts";
import { streamBody } from "./support/loopback-server.ts";

// Answers the local issuer cannot produce: a tiny token endpoint per test, scripted per request.

interface RecordedRequest {
  readonly method: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Answer = (res: ServerResponse) => void;

interface FakeEndpoint {
  readonly tokenUrl: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const running: FakeEndpoint[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((endpoint) => endpoint.close()));
});

/** Answers the n-th request with `answers[n]`, the last answer repeating. */
async function fakeTokenEndpoint(...answers: Answer[]): Promise<FakeEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const request = { method: req.method, headers: req.headers, body };
      requests.push(request);
      const answer = answers[Math.min(requests.length, answers.length) - 1];
      answer?.(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint: FakeEndpoint = {
    tokenUrl: `http://127.0.0.1:${port}/oauth2/m2m/token`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  running.push(endpoint);
  return endpoint;
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

const text =
  (status: number, body: string, headers: Record<string, string> = {}): Answer =>
  (res) => {
    res.writeHead(status, { "content-type": "text/html", ...headers });
    res.end(body);
  };

const neverAnswer: Answer = () => {};

/**
 * Once `clock` holds a timer of `delayMs` (a retry wait, a timeout), move time to when it is due
 * (a delay of 0 runs after 1 ms, as Node's does).
 */
async function fire(clock: ManualClock, delayMs: number): Promise<void> {
  const timer = await vi.waitFor(() => {
    const found = clock.pending().find((t) => t.delayMs === delayMs);
    if (found === undefined) throw new Error(`no timer of ${delayMs} ms yet`);
    return found;
  });
  clock.advance(timer.dueInMs);
}

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
const SECRET = "s3cr3t-value-that-must-not-leak";

function options(
  tokenUrl: string,
  overrides: Partial<ClientCredentialsOptions> = {},
): ClientCredentialsOptions {
  return {
    tokenUrl,
    clientId: "my-client",
    clientSecret: SECRET,
    audience: "https://api.example.com",
    retry: { baseDelayMs: 1, maxDelayMs: 10 },
    ...overrides,
  };
}

/** The AuthError `promise` rejects with, which must quote neither the secret nor the token. */
async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const authError = await authErrorOf(promise);
  expect(authError.message).not.toContain(SECRET);
  expect(authError.message).not.toContain(TOKEN);
  return authError;
}

describe("token request on the wire", () => {
  it("sends AuthAction's JSON body with grant_type client_credentials", async () => {
    const endpoint = await fakeTokenEndpoint(
      json(200, { access_token: TOKEN, token_type: "Bearer", expires_in: 86400 }),
    );
    await createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken();
    const [request] = endpoint.requests;
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers.accept).toBe("application/json");
    expect(request?.headers.authorization).toBeUndefined();
    expect(JSON.parse(request?.body ?? "")).toEqual({
      grant_type: "client_credentials",
      client_id: "my-client",
      client_secret: SECRET,
      audience: "https://api.example.com",
    });
  });

  it("sends an RFC 6749 form body (client_secret_post) with the scope when asked", async () => {
    const endpoint = await fakeTokenEndpoint(
      json(200, { access_token: TOKEN, token_type: "Bearer", expires_in: 60 }),
    );
    const source = createClientCredentialsTokenSource(
      options(endpoint.tokenUrl, { format: "form", scope: "read:public read:secret" }),
    );
    await source.getToken();
    const [request] = endpoint.requests;
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      grant_type: "client_credentials",
      client_id: "my-client",
      client_secret: SECRET,
      audience: "https://api.example.com",
      scope: "read:public read:secret",
    });
  });
});

describe("token responses", () => {
  it("accepts expires_in as a numeric string, a lowercase token_type and returns the scope", async () => {
    const endpoint = await fakeTokenEndpoint(
      json(200, { access_token: TOKEN, token_type: "bearer", expires_in: "3600", scope: "a b" }),
    );
    const before = Date.now();
    const info = await createClientCredentialsTokenSource(
      options(endpoint.tokenUrl),
    ).getTokenInfo();
    expect(info.accessToken).toBe(TOKEN);
    expect(info.scope).toBe("a b");
    expect(info.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(info.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });

  it("reads a missing token_type as Bearer (RFC 6749 §5.1 requires it, some servers omit it)", async () => {
    const endpoint = await fakeTokenEndpoint(json(200, { access_token: TOKEN, expires_in: 60 }));
    expect(await createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken()).toBe(
      TOKEN,
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ["access_token is missing", { token_type: "Bearer", expires_in: 60 }],
    ["access_token is empty", { access_token: "", token_type: "Bearer", expires_in: 60 }],
    ["access_token is not a string", { access_token: 42, expires_in: 60 }],
    ["expires_in is missing", { access_token: TOKEN, token_type: "Bearer" }],
    ...[1e20, 0, -1, 0.5, 31_536_001].map((expiresIn): [string, Record<string, unknown>] => [
      "expires_in is outside 1 s to 31536000 s (1 year)",
      { access_token: TOKEN, expires_in: expiresIn },
    ]),
    ["expires_in is not a number of seconds", { access_token: TOKEN, expires_in: "soon" }],
    ["expires_in is not a number of seconds", { access_token: TOKEN, expires_in: null }],
    [
      'token_type is "DPoP", expected "Bearer"',
      { access_token: TOKEN, token_type: "DPoP", expires_in: 60 },
    ],
  ])("refuses a 200 whose body is unusable: %s", async (problem, body) => {
    const endpoint = await fakeTokenEndpoint(json(200, body));
    const error = await rejection(
      createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken(),
    );
    expect(error.code).toBe("invalid_token_response");
    expect(error.status).toBe(200);
    expect(error.message).toBe(`token endpoint answered 200 without a usable token: ${problem}`);
    // A broken server is not fixed by asking again.
    expect(endpoint.requests).toHaveLength(1);
  });

  it.each([1, 31_536_000])("accepts expires_in at the bound %d", async (expiresIn) => {
    const endpoint = await fakeTokenEndpoint(
      json(200, { access_token: TOKEN, expires_in: expiresIn }),
    );
    const clock = new ManualClock();
    const info = await createClientCredentialsTokenSource(
      options(endpoint.tokenUrl, { clock }),
    ).getTokenInfo();
    expect(info.expiresAt.getTime()).toBe(clock.now() + expiresIn * 1000);
  });

  it("refuses an endless 200 body as an invalid response after 64 KiB, reading no further", async () => {
    let stream: ReturnType<typeof streamBody> | undefined;
    const endpoint = await fakeTokenEndpoint((res) => {
      stream = streamBody(res, { prefix: `{"access_token":"${TOKEN}","pad":"` });
    });
    const error = await rejection(
      createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken(),
    );
    expect(error.code).toBe("invalid_token_response");
    expect(error.status).toBe(200);
    expect(error.message).toBe("token endpoint answered 200 with a body over 65536 bytes");
    expect(endpoint.requests).toHaveLength(1);
    // The client cut the connection: what the server got out is the cap plus the loopback socket
    // buffers, not a stream that grows until memory runs out.
    await stream?.finished;
    expect(stream?.sent()).toBeLessThan(16 * 1024 * 1024);
  });

  it("honours a smaller maxResponseBytes, declared by Content-Length or not", async () => {
    const body = JSON.stringify({ access_token: TOKEN, expires_in: 60, pad: "x".repeat(2000) });
    const endpoint = await fakeTokenEndpoint(json(200, JSON.parse(body)));
    const error = await rejection(
      createClientCredentialsTokenSource(
        options(endpoint.tokenUrl, { maxResponseBytes: 1024 }),
      ).getToken(),
    );
    expect(error.message).toBe("token endpoint answered 200 with a body over 1024 bytes");
  });

  it("names both problems when access_token and expires_in are missing", async () => {
    const endpoint = await fakeTokenEndpoint(json(200, { token_type: "Bearer" }));
    const error = await rejection(
      createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken(),
    );
    expect(error.message).toBe(
      "token endpoint answered 200 without a usable token: access_token is missing; expires_in is missing",
    );
  });

  it("refuses a 200 whose body is not JSON", async () => {
    const endpoint = await fakeTokenEndpoint(text(200, "<html>Welcome</html>"));
    const error = await rejection(
      createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken(),
    );
    expect(error.code).toBe("invalid_token_response");
    expect(error.message).toBe("token endpoint answered 200 with a body that is not JSON");
  });

  it("refuses a 200 whose JSON is not an object", async () => {
    const endpoint = await fakeTokenEndpoint(json(200, [TOKEN]));
    const error = await rejection(
      createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken(),
    );
    expect(error.code).toBe("invalid_token_response");
    expect(error.message).toBe("token endpoint answered 200 with JSON that is not an object");
  });
});

describe("refusals and failures", () => {
  it("sanitizes and truncates a server's error_description, and redacts an echoed secret", async () => {
    const description = `bad \u001b[31mclient\u001b[0m\r\nsecret was ${SECRET} ü ${"x".repeat(500)}`;
    const endpoint = await fakeTokenEndpoint(
      json(401, { error: "invalid_client", error_description: description }),
    );
    const error = await rejection(
      createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken(),
    );
    expect(error.code).toBe("token_request_refused");
    expect(error.oauthError).toBe("invalid_client");
    expect(error.message).toMatch(/^[\x20-\x7e]+$/);
    expect(error.message).toContain(
      "token endpoint refused the request: invalid_client (bad client secret was [redacted] ? xxx",
    );
    expect(error.message.length).toBeLessThan(270);
    expect(error.message.endsWith("...)")).toBe(true);
  });

  it("refuses a 401 without an OAuth body by its status, not retried", async () => {
    const endpoint = await fakeTokenEndpoint(text(401, "nope"));
    const error = await rejection(
      createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken(),
    );
    expect(error.code).toBe("token_request_refused");
    expect(error.oauthError).toBeUndefined();
    expect(error.status).toBe(401);
    expect(error.message).toBe("token endpoint refused the request: 401 Unauthorized");
    expect(endpoint.requests).toHaveLength(1);
  });

  it("reports a 404 as a wrong token URL, not retried", async () => {
    const endpoint = await fakeTokenEndpoint(text(404, "<h1>Not Found</h1>"));
    const error = await rejection(
      createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken(),
    );
    expect(error.code).toBe("token_endpoint_unavailable");
    expect(error.status).toBe(404);
    expect(error.message).toBe(
      `token endpoint ${endpoint.tokenUrl} answered 404 Not Found; check the token URL`,
    );
    expect(endpoint.requests).toHaveLength(1);
  });

  it("does not follow a redirect, so the secret is not resent elsewhere", async () => {
    const elsewhere = await fakeTokenEndpoint(json(200, { access_token: TOKEN, expires_in: 60 }));
    const endpoint = await fakeTokenEndpoint(text(307, "", { location: elsewhere.tokenUrl }));
    const error = await rejection(
      createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken(),
    );
    expect(error.code).toBe("token_endpoint_unavailable");
    expect(error.status).toBe(307);
    expect(error.message).toContain(`answered 307 Temporary Redirect to ${elsewhere.tokenUrl}`);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it("retries a 503 with a non-JSON body and reports its status line", async () => {
    const endpoint = await fakeTokenEndpoint(text(503, "<h1>down</h1>"));
    const source = createClientCredentialsTokenSource(
      options(endpoint.tokenUrl, { retry: { maxAttempts: 2, baseDelayMs: 1 } }),
    );
    const error = await rejection(source.getToken());
    expect(error.code).toBe("token_endpoint_unavailable");
    expect(error.status).toBe(503);
    expect(error.message).toBe(
      `token endpoint ${endpoint.tokenUrl} unavailable: answered 503 Service Unavailable (2 attempts)`,
    );
    expect(endpoint.requests).toHaveLength(2);
  });

  it("honours a Retry-After HTTP-date: a near one is waited for, then the request succeeds", async () => {
    // A whole second on the clock, so that the date's second resolution gives exactly 2000 ms.
    const clock = new ManualClock(Math.ceil(Date.now() / 1000) * 1000);
    const endpoint = await fakeTokenEndpoint(
      (res) =>
        text(503, "busy", { "retry-after": new Date(clock.now() + 2000).toUTCString() })(res),
      json(200, { access_token: TOKEN, token_type: "Bearer", expires_in: 60 }),
    );
    const source = createClientCredentialsTokenSource(options(endpoint.tokenUrl, { clock }));
    const token = source.getToken();
    await fire(clock, 2000);
    expect(await token).toBe(TOKEN);
    expect(endpoint.requests).toHaveLength(2);
  });

  it("honours a Retry-After HTTP-date: a far one ends the attempt at once", async () => {
    const endpoint = await fakeTokenEndpoint(
      text(503, "maintenance", { "retry-after": new Date(Date.now() + 3_600_000).toUTCString() }),
    );
    const error = await rejection(
      createClientCredentialsTokenSource(options(endpoint.tokenUrl)).getToken(),
    );
    expect(error.code).toBe("token_endpoint_unavailable");
    expect(error.message).toMatch(/asked to retry after 3\d{3} s, past the 30000 ms deadline/);
    expect(endpoint.requests).toHaveLength(1);
  });

  it("times out a token endpoint that never answers, retrying within the deadline", async () => {
    const endpoint = await fakeTokenEndpoint(neverAnswer);
    const clock = new ManualClock();
    const source = createClientCredentialsTokenSource(
      options(endpoint.tokenUrl, {
        requestTimeoutMs: 200,
        retry: { maxAttempts: 2, baseDelayMs: 1 },
        clock,
      }),
    );
    const pending = rejection(source.getToken());
    await vi.waitFor(() => expect(endpoint.requests).toHaveLength(1));
    await fire(clock, 200);
    await fire(clock, 0);
    await vi.waitFor(() => expect(endpoint.requests).toHaveLength(2));
    await fire(clock, 200);
    const error = await pending;
    expect(error.code).toBe("token_endpoint_unavailable");
    expect(error.status).toBeUndefined();
    expect(error.message).toBe(
      `token endpoint ${endpoint.tokenUrl} did not answer within 200 ms (2 attempts)`,
    );
    expect(endpoint.requests).toHaveLength(2);
  });

  it("reports the last real answer when the deadline cuts the final attempt short", async () => {
    const endpoint = await fakeTokenEndpoint(text(503, "down"), neverAnswer);
    const clock = new ManualClock();
    const source = createClientCredentialsTokenSource(
      options(endpoint.tokenUrl, { retry: { baseDelayMs: 1, deadlineMs: 1000 }, clock }),
    );
    const pending = rejection(source.getToken());
    await fire(clock, 0);
    await vi.waitFor(() => expect(endpoint.requests).toHaveLength(2));
    // The second attempt has only what is left of the deadline (the retry's wait of 0 ran after
    // 1 ms, as Node's does): its timeout ends it there.
    await fire(clock, 999);
    const error = await pending;
    expect(error.code).toBe("token_endpoint_unavailable");
    expect(error.status).toBe(503);
    expect(error.message).toBe(
      `token endpoint ${endpoint.tokenUrl} unavailable: answered 503 Service Unavailable (2 attempts, 1000 ms deadline)`,
    );
  });

  it("names the URL of an unreachable token endpoint", async () => {
    const endpoint = await fakeTokenEndpoint(neverAnswer);
    await endpoint.close();
    const source = createClientCredentialsTokenSource(
      options(endpoint.tokenUrl, { retry: { maxAttempts: 2, baseDelayMs: 1 } }),
    );
    const error = await rejection(source.getToken());
    expect(error.code).toBe("token_endpoint_unavailable");
    expect(error.status).toBeUndefined();
    expect(error.message).toBe(
      `token endpoint ${endpoint.tokenUrl} unreachable: ECONNREFUSED (2 attempts)`,
    );
  });
});
