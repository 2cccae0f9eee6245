import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SendOptions, send } from "./support/http-exchange.ts";
import { type Stack, startStack } from "./support/start-stack.ts";

// Every answer that depends on the caller's token carries Cache-Control: no-store (RFC 9111
// §5.2.2.5), so that no cache between a client and the api keeps one caller's data or refusal and
// serves it to another: every /trpc answer on each transport, REST /protected, every challenge.
let fast: Stack;
let official: Stack;
/** Each stack has its own issuer, and so its own tokens. */
const tokens = new Map<Stack, Tokens>();
beforeAll(async () => {
  [fast, official] = await Promise.all([startStack(), startStack({ api: { fastPath: false } })]);
  for (const stack of [fast, official]) {
    const [valid, limited] = await Promise.all([stack.token(), stack.token("limited-client")]);
    tokens.set(stack, { valid, limited });
  }
});
afterAll(async () => {
  await Promise.all([fast.close(), official.close()]);
});

const enc = encodeURIComponent;
const JSONL = { "trpc-accept": "application/jsonl" };
const json = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

type Case = readonly [
  name: string,
  target: string,
  options: (tokens: Tokens) => SendOptions,
  status: number,
];
interface Tokens {
  readonly valid: string;
  readonly limited: string;
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const CASES: readonly Case[] = [
  ["a query with a valid token", "/trpc/protected", (t) => bearer(t.valid), 200],
  ["a query without a token", "/trpc/protected", () => ({}), 401],
  ["a query with a malformed header", "/trpc/protected", () => ({ authorization: "Basic x" }), 400],
  ["a query lacking its scope", "/trpc/secret", (t) => bearer(t.limited), 403],
  ["a batch of a public and a refused call", "/trpc/public,protected?batch=1", () => ({}), 207],
  [
    "a query the official adapter serves (an extra parameter)",
    "/trpc/protected?x=1",
    (t) => bearer(t.valid),
    200,
  ],
  [
    "a stream head",
    `/trpc/protected?batch=1&input=${enc("{}")}`,
    (t) => ({ ...bearer(t.valid), headers: JSONL }),
    200,
  ],
  [
    "a stream refused as a whole",
    `/trpc/protected%2Csecret?batch=1`,
    () => ({ headers: JSONL }),
    401,
  ],
  [
    "a stream with a refusal inside",
    `/trpc/public,protected?batch=1`,
    () => ({ headers: JSONL }),
    200,
  ],
  [
    "a mutation",
    "/trpc/postMessage",
    (t) => ({ ...bearer(t.valid), ...json({ text: "hi" }) }),
    200,
  ],
  [
    "a mutation with invalid input",
    "/trpc/postMessage",
    (t) => ({ ...bearer(t.valid), ...json({ text: "" }) }),
    400,
  ],
  ["a mutation without a token", "/trpc/postMessage", () => json({ text: "hi" }), 401],
  ["an unknown procedure", "/trpc/nope", (t) => bearer(t.valid), 404],
  ["a wrong method on /trpc", "/trpc/protected", () => ({ method: "HEAD" }), 405],
  ["REST /protected with a valid token", "/protected", (t) => bearer(t.valid), 200],
  ["REST /protected without a token", "/protected", () => ({}), 401],
  [
    "REST /protected with a malformed header",
    "/protected",
    () => ({ authorization: "Bearer a b" }),
    400,
  ],
  ["REST HEAD /protected without a token", "/protected", () => ({ method: "HEAD" }), 401],
];

describe.each([
  ["fast path on", () => fast],
  ["fast path off", () => official],
])("Cache-Control: no-store (%s)", (_, stack) => {
  it.each(CASES)("%s: %s", async (_name, target, options, status) => {
    const res = await send(stack().api.url, target, options(tokens.get(stack()) as Tokens));
    expect(res.status).toBe(status);
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it.each([
    ["a valid token", (t: Tokens) => bearer(t.valid).authorization, 200],
    ["no token", () => undefined, 401],
    ["a token lacking read:messages", (t: Tokens) => bearer(t.limited).authorization, 403],
  ] as const)(
    "an SSE subscription with %s: no-store on its head (%s)",
    async (_name, authorization, status) => {
      const abort = new AbortController();
      const value = authorization(tokens.get(stack()) as Tokens);
      const response = await fetch(`${stack().api.url}/trpc/onMessage`, {
        headers: {
          accept: "text/event-stream",
          ...(value === undefined ? {} : { authorization: value }),
        },
        signal: abort.signal,
      });
      abort.abort();
      expect(response.status).toBe(status);
      // tRPC's own SSE head says no-cache, no-transform; no-store is added to it.
      expect(response.headers.get("cache-control")?.split(", ")).toContain("no-store");
    },
  );
});

describe("Cache-Control: no-store on a 503 while the keys are unavailable", () => {
  it.each(["/protected", "/trpc/protected"])("%s", async (target) => {
    const stack = await startStack({ verifier: { keySet: { timeoutMs: 200 } }, jwksMode: "error" });
    try {
      const res = await send(stack.api.url, target, bearer(await stack.issuer.signToken()));
      expect(res.status).toBe(503);
      expect(res.headers["cache-control"]).toBe("no-store");
    } finally {
      await stack.close();
    }
  });
});

describe("answers that do not depend on a token stay cacheable", () => {
  it("REST /public carries no Cache-Control", async () => {
    const res = await send(fast.api.url, "/public", bearer((tokens.get(fast) as Tokens).valid));
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBeUndefined();
  });
});
