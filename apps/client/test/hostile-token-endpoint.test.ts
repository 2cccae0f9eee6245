import { Buffer } from "node:buffer";
import { measureEventLoopDelay } from "@repo/auth/testing";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sanitizedOutput } from "../src/client-output.ts";
import { runClient } from "../src/run-client.ts";
import { type RunningApi, startApiFor } from "./support/issuer-and-api.ts";
import {
  type RawAnswer,
  type RawTokenEndpoint,
  startRawTokenEndpoint,
} from "./support/raw-token-endpoint.ts";
import { type MainRun, runMain } from "./support/run-main.ts";

// A token endpoint that echoes the client secret back in every encoding and tries to drive the
// terminal, against the client's real entry point. The api and the issuer that signs the token
// are the real ones; only the token endpoint misbehaves.

const CLIENT_ID = "demo-client";
const SECRET = 's3cr3t "q"/p+th=ü&x';
const form = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
const basic = Buffer.from(`${form(CLIENT_ID)}:${form(SECRET)}`).toString("base64");

/** The secret as a server may echo it. */
const ECHOES = {
  verbatim: SECRET,
  json: JSON.stringify(SECRET).slice(1, -1),
  jsonAscii: JSON.stringify(SECRET).slice(1, -1).replace("ü", "\\u00fc"),
  percent: encodeURIComponent(SECRET),
  form: form(SECRET),
  basic: `Basic ${basic}`,
};
const ECHO_TEXT = Object.entries(ECHOES)
  .map(([name, value]) => `${name}=${value}`)
  .join(" ");
// ESC sequences that would clear the screen, recolour and rewrite the line; CR/LF to start a
// new line that looks like a result.
const FORGERY = '\u001b[2J\u001b[31m\r\nprotected -> {"message":"forged"}\u001b[0m\r';

let issuer: LocalIssuer;
let api: RunningApi;
let endpoint: RawTokenEndpoint | undefined;

beforeAll(async () => {
  issuer = await startLocalIssuer();
  api = await startApiFor(issuer);
});
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
});

/** A 200 answer with a real token from the issuer, whose response claims `scope`. */
async function tokenAnswer(scope: string): Promise<RawAnswer> {
  const token = await issuer.signToken({ clientId: CLIENT_ID });
  return {
    status: 200,
    reason: "OK",
    body: JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: 3600, scope }),
  };
}

async function runAgainst(answer: RawAnswer): Promise<MainRun> {
  endpoint = await startRawTokenEndpoint(answer);
  const run = await runMain({
    API_URL: api.url,
    AUTHACTION_TOKEN_URL: endpoint.tokenUrl,
    AUTHACTION_CLIENT_ID: CLIENT_ID,
    AUTHACTION_CLIENT_SECRET: SECRET,
    AUTHACTION_AUDIENCE: issuer.audience,
  });
  // The endpoint did receive the secret: what follows is about what the client prints.
  expect(endpoint.requests.join("")).toContain(ECHOES.json);
  return run;
}

function expectNothingLeaked({ stdout, stderr }: MainRun): void {
  const printed = stdout + stderr;
  for (const echo of Object.values(ECHOES)) expect(printed).not.toContain(echo);
  expect(printed).not.toContain(basic.slice(8, 24)); // the part of the Basic credential that is the secret's alone
  expect(printed).not.toMatch(/s3cr3t|p\+th|p%2Bth/i);
  expect(printed).not.toContain("\u001b");
  expect(printed).not.toContain("\r");
  expect(printed).not.toMatch(/^\s*at /m); // no stack trace
  for (const line of printed.split("\n").filter((l) => l !== "")) {
    expect(line).toMatch(/^[\x20-\x7e]+$/);
  }
  expect(stdout).not.toMatch(/^protected\s+->.*forged/m);
}

describe("the client's output, facing a token endpoint that echoes the secret and sends escapes", () => {
  it.each<[string, RawAnswer, RegExp]>([
    [
      "a 401 whose reason phrase holds them",
      { status: 401, reason: `Denied ${ECHO_TEXT} \u001b[2J\u001b[31m`, body: "no" },
      /^client: token endpoint refused the request: 401 Denied .*\[redacted\]/,
    ],
    [
      "an unexpected 418 whose reason phrase holds them",
      { status: 418, reason: `Teapot ${ECHO_TEXT} \u001b]0;title\u0007`, body: "" },
      /^client: token endpoint http:\/\/127\.0\.0\.1:\d+\/oauth2\/m2m\/token answered 418 Teapot .*\[redacted\].*; check the token URL$/,
    ],
    [
      "a redirect whose Location holds them",
      {
        status: 302,
        reason: "Found",
        headers: { location: `https://evil.example/?c=${ECHOES.percent}&b=${basic}` },
      },
      /^client: token endpoint .* answered 302 Found to https:\/\/evil\.example\/\?c=\[redacted\]/,
    ],
    [
      "a 400 whose error_description holds them, with CR/LF and escapes",
      {
        status: 400,
        reason: "Bad Request",
        body: JSON.stringify({
          error: `invalid_client\u001b[31m`,
          error_description: `client authentication failed ${ECHO_TEXT}${FORGERY}`,
        }),
      },
      /^client: token endpoint refused the request: invalid_client \(client authentication failed .*\[redacted\]/,
    ],
  ])("prints one sanitised, redacted line for %s", async (_case, answer, expected) => {
    const run = await runAgainst(answer);
    expectNothingLeaked(run);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });

  it("prints a token response's scope sanitised: it cannot forge a result line", async () => {
    const run = await runAgainst(
      await tokenAnswer(`read:public read:secret${FORGERY} ${ECHO_TEXT}`),
    );
    expectNothingLeaked(run);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    // The forged text stays inside the token line: no other line starts with "protected ->"
    // than the api's own answer.
    expect(lines.filter((line) => line.startsWith("protected"))).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^token {5}-> obtained, expires \S+, scope "read:public read:secret protected -> \{"message":"forged"\} .*\[redacted\]/,
    );
    expect(lines.slice(1, 4)).toEqual([
      'public    -> {"message":"This is a public message!"}',
      'protected -> {"message":"This is a protected message!","sub":"demo-client@clients"}',
      'secret    -> {"message":"This is a secret message!","sub":"demo-client@clients"}',
    ]);
  });
});

// Text that made the former sanitising patterns backtrack (2.5 s per 64 KB response), as a
// server would send it: under the 64 KiB body cap, or as much as a header line holds.
const SLOW_SHAPES: Array<[string, (length: number) => string]> = [
  ["a.a.a...", (length) => "a.".repeat(length / 2)],
  ["eyJ repeated", (length) => "eyJ".repeat(length / 3)],
  ["base64url runs with dots", (length) => "QUJDREVGR0hJSktMTU5PUA.".repeat(length / 23)],
];
const BODY_TEXT = 63_000;
// The longest the event loop may stall through a run by the process's own doing (a stall while the
// machine ran something else does not count): the former sanitising stalled it 2.5 s per answer.
const LOOP_BUDGET_MS = 100;
const HEADER_TEXT = 8_000;

describe("the client, facing a token endpoint whose text is built to make sanitising slow", () => {
  /** Run the client in this process (so its event loop is the one measured), printing as main does. */
  async function runInProcess(answer: RawAnswer) {
    endpoint = await startRawTokenEndpoint(answer);
    const lines: string[] = [];
    const { result: code, ownStallMs } = await measureEventLoopDelay(() =>
      runClient(
        {
          apiUrl: api.url,
          credentials: {
            tokenUrl: endpoint?.tokenUrl ?? "",
            clientId: CLIENT_ID,
            clientSecret: SECRET,
            audience: issuer.audience,
            retry: { baseDelayMs: 1, maxDelayMs: 5 },
          },
        },
        sanitizedOutput({ out: (line) => lines.push(line), err: (line) => lines.push(line) }, [
          SECRET,
        ]),
      ),
    );
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(2_000);
    return { code, lines, ownStallMs, requests: endpoint.requests.length };
  }

  it.each(
    SLOW_SHAPES.flatMap(([shape, text]) =>
      [400, 503].map((status): [number, string, string] => [status, shape, text(BODY_TEXT)]),
    ),
  )(
    "keeps the event loop free (under 100 ms) through a %i whose error_description is 64 KB of %s",
    async (status, _shape, text) => {
      const run = await runInProcess({
        status,
        reason: "No",
        body: JSON.stringify({ error: "invalid_request", error_description: text }),
      });
      expect(run.code).toBe(1);
      expect(run.requests).toBe(status === 503 ? 4 : 1);
      expect(run.lines).toHaveLength(1);
      expect(run.lines[0]).toMatch(
        /^token endpoint (refused the request|http:\S+ unavailable).*invalid_request \(.*\.\.\.\)/,
      );
      expect(run.ownStallMs).toBeLessThan(LOOP_BUDGET_MS);
    },
  );

  it.each(SLOW_SHAPES.map(([shape, text]): [string, string] => [shape, text(HEADER_TEXT)]))(
    "keeps the event loop free (under 100 ms) through a reason phrase and a Location of %s",
    async (_shape, text) => {
      const refused = await runInProcess({ status: 401, reason: text, body: "" });
      expect(refused.lines).toEqual([
        expect.stringMatching(/^token endpoint refused the request: 401 .*\.\.\.$/),
      ]);
      const redirected = await runInProcess({
        status: 302,
        reason: text,
        headers: { location: `https://elsewhere.example/${text}` },
      });
      expect(redirected.lines).toEqual([
        expect.stringMatching(
          /^token endpoint .* answered 302 .* to https:\/\/elsewhere\.example\/.*\.\.\.; redirects/,
        ),
      ]);
      expect(Math.max(refused.ownStallMs, redirected.ownStallMs)).toBeLessThan(LOOP_BUDGET_MS);
    },
  );

  it.each(SLOW_SHAPES.map(([shape, text]): [string, string] => [shape, text(BODY_TEXT - 2_000)]))(
    "keeps the event loop free (under 100 ms) printing a token's 62 KB scope of %s",
    async (_shape, text) => {
      const run = await runInProcess(await tokenAnswer(text));
      expect(run.code).toBe(0);
      expect(run.lines[0]).toMatch(/^token {5}-> obtained, expires \S+, scope ".{197}\.\.\."$/);
      expect(run.ownStallMs).toBeLessThan(LOOP_BUDGET_MS);
    },
  );
});
