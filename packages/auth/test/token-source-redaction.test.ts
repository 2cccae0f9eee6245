import { Buffer } from "node:buffer";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AuthError, createClientCredentialsTokenSource } from "../src/client.ts";
import { measureEventLoopDelay } from "../src/testing.ts";

// The token source's own errors, before any app prints them: a server echoing the client secret
// in its reason phrase, Location or error_description gets it redacted in every encoding.

const SECRET = 'my "s3cr3t"/value+1';
const form = new URLSearchParams({ s: SECRET }).toString().slice(2);
const ECHOES = [
  SECRET,
  JSON.stringify(SECRET).slice(1, -1),
  encodeURIComponent(SECRET),
  form,
  `Basic ${Buffer.from(`my-client:${form}`).toString("base64")}`,
];
const ECHO_TEXT = ECHOES.join(" | ");

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A loopback token endpoint answering every request with `answer`; counts the requests. */
async function serve(
  answer: (res: ServerResponse) => void,
): Promise<{ url: string; requests(): number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    req.resume().on("end", () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/oauth2/m2m/token`, requests: () => requests };
}

async function failureAgainst(answer: (res: ServerResponse) => void): Promise<AuthError> {
  const { url } = await serve(answer);
  const error = await createClientCredentialsTokenSource({
    tokenUrl: url,
    clientId: "my-client",
    clientSecret: SECRET,
    audience: "https://api.example.com",
  })
    .getToken()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  const message = (error as AuthError).message;
  for (const echo of ECHOES) expect(message).not.toContain(echo);
  expect(message).not.toMatch(/s3cr3t/i);
  expect(message).toContain("[redacted]");
  return error as AuthError;
}

it("redacts the secret from a refusal's reason phrase", async () => {
  const error = await failureAgainst((res) => res.writeHead(401, `No ${ECHO_TEXT}`).end("no"));
  expect(error.code).toBe("token_request_refused");
  expect(error.message).toMatch(/^token endpoint refused the request: 401 No \[redacted\]/);
});

it("redacts the secret from an unexpected status's reason phrase and a redirect's Location", async () => {
  const teapot = await failureAgainst((res) => res.writeHead(418, `Tea ${ECHO_TEXT}`).end());
  expect(teapot.code).toBe("token_endpoint_unavailable");
  const redirect = await failureAgainst((res) =>
    res
      .writeHead(302, { location: `https://elsewhere.example/?c=${encodeURIComponent(SECRET)}` })
      .end(),
  );
  expect(redirect.message).toContain("to https://elsewhere.example/?c=[redacted]");
});

it("redacts the secret from error_description in every encoding", async () => {
  const error = await failureAgainst((res) =>
    res
      .writeHead(400, { "content-type": "application/json" })
      .end(JSON.stringify({ error: "invalid_client", error_description: `bad ${ECHO_TEXT}` })),
  );
  expect(error.oauthError).toBe("invalid_client");
});

// The longest the event loop may stall, by this process's own doing, while an answer is handled.
// The former sanitising stalled it 2.5 s per 64 KB answer; it now costs a few ms.
const LOOP_BUDGET_MS = 100;

// What a hostile endpoint sends to make sanitising slow: 64 KB (under the 64 KiB body cap) of
// text that made the former patterns backtrack, as error_description or as the error code.
const HOSTILE_TEXTS: Array<[string, string]> = [
  ["a.a.a...", "a.".repeat(32_000)],
  ["eyJ repeated", "eyJ".repeat(21_000)],
  ["base64url runs with dots", "QUJDREVGR0hJSktMTU5PUA.".repeat(2_800)],
];
const HOSTILE_BODIES = HOSTILE_TEXTS.flatMap(
  ([shape, text]): Array<[string, string]> => [
    [
      `${shape} as error_description`,
      JSON.stringify({ error: "invalid_request", error_description: text }),
    ],
    [`${shape} as error`, JSON.stringify({ error: text })],
  ],
);

describe("a token endpoint sending 64 KB of text built to make sanitising slow", () => {
  it.each(
    HOSTILE_BODIES.flatMap(([shape, body]) => [
      [400, shape, body],
      [503, shape, body],
    ]) as Array<[number, string, string]>,
  )("blocks the event loop under 100 ms for a %i with %s", async (status, _shape, body) => {
    expect(Buffer.byteLength(body)).toBeLessThan(64 * 1024);
    const endpoint = await serve((res) =>
      res.writeHead(status, { "content-type": "application/json" }).end(body),
    );
    const source = createClientCredentialsTokenSource({
      tokenUrl: endpoint.url,
      clientId: "my-client",
      clientSecret: SECRET,
      audience: "https://api.example.com",
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    const { result: error, ownStallMs } = await measureEventLoopDelay(() =>
      source.getToken().catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(AuthError);
    const { code, message } = error as AuthError;
    // A 503 is retried (four attempts by default), each answer sanitised again.
    expect(endpoint.requests()).toBe(status === 503 ? 4 : 1);
    expect(code).toBe(status === 503 ? "token_endpoint_unavailable" : "token_request_refused");
    expect(message.length).toBeLessThan(500);
    expect(message).toMatch(/\.\.\./);
    expect(ownStallMs).toBeLessThan(LOOP_BUDGET_MS);
  });
});
