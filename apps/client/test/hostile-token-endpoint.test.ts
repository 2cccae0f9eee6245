import { Buffer } from "node:buffer";
import { createLogger, type RunningApi, startApi } from "@repo/api";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
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
  api = await startApi({
    log: createLogger("silent"),
    host: "127.0.0.1",
    verifier: { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri },
  });
});
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
});

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
    const token = await issuer.signToken({ clientId: CLIENT_ID });
    const run = await runAgainst({
      status: 200,
      reason: "OK",
      body: JSON.stringify({
        access_token: token,
        token_type: "Bearer",
        expires_in: 3600,
        scope: `read:public read:secret${FORGERY} ${ECHO_TEXT}`,
      }),
    });
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
