import { protectedProcedure, publicProcedure, router } from "@repo/api-router";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type RunningApi, startApi } from "../src/index.ts";
import { send } from "./support/http-exchange.ts";

// Property: for any request and any procedure result, the fast query path answers byte for byte
// what tRPC's official adapter answers (status, the headers that matter, body), including results
// JSON cannot carry. Both servers serve the same router, built here with the api's own procedures.

/** Results a procedure may return, each built fresh per call (promises and iterables are single-use). */
const RESULTS: ReadonlyArray<() => unknown> = [
  () => ({ message: "plain" }),
  () => new Date(0),
  () => ({ at: new Date(86_400_000) }),
  () => undefined,
  () => ({ a: undefined, b: [undefined, 1] }),
  () => Number.NaN,
  () => [Number.POSITIVE_INFINITY, -0],
  () => 10n,
  () => ({ big: 1n }),
  () => ({ later: Promise.resolve(1) }),
  () => Promise.resolve({ awaited: true }),
  () =>
    (async function* () {
      yield 1;
    })(),
  () => ({
    stream: (async function* () {
      yield 1;
    })(),
  }),
  () => [Promise.resolve(1)],
  // Only own enumerable values count as streams (tRPC reads Object.values).
  () => Object.create({ inherited: Promise.resolve(1) }, { own: { value: 1, enumerable: true } }),
  () => Object.defineProperty({ shown: 1 }, "hidden", { value: Promise.resolve(1) }),
  () => ({
    toJSON() {
      throw new Error("not serialisable");
    },
  }),
  () => "text",
  () => null,
];

const ERROR_CODES: readonly TRPC_ERROR_CODE_KEY[] = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "TOO_MANY_REQUESTS",
  "INTERNAL_SERVER_ERROR",
];

const input = z.object({ k: z.number().int(), json: z.unknown().optional() }).optional();
const testRouter = router({
  public: publicProcedure.query(() => ({ message: "This is a public message!" })),
  protected: protectedProcedure.query(({ ctx }) => ({ sub: ctx.auth.sub })),
  value: publicProcedure.input(input).query(({ input }) => {
    if (input === undefined) return { none: true };
    if (input.json !== undefined) return input.json;
    const make = RESULTS[Math.abs(input.k) % RESULTS.length] as () => unknown;
    return make();
  }),
  guarded: protectedProcedure.input(input).query(({ input }) => {
    const make = RESULTS[Math.abs(input?.k ?? 0) % RESULTS.length] as () => unknown;
    return make();
  }),
  fail: publicProcedure.input(input).query(({ input }) => {
    const k = Math.abs(input?.k ?? 0);
    if (k % 3 === 0) throw new Error("internal detail");
    if (k % 3 === 1) throw "a string";
    throw new TRPCError({
      code: ERROR_CODES[k % ERROR_CODES.length] as TRPC_ERROR_CODE_KEY,
      message: `failed ${k}`,
    });
  }),
  change: publicProcedure.mutation(() => ({ changed: true })),
});

let issuer: LocalIssuer;
let fast: RunningApi;
let official: RunningApi;
let token: string;

beforeAll(async () => {
  issuer = await startLocalIssuer();
  const verifier = { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri };
  const log = pino({ level: "silent" });
  const limits = { maxBatchSize: 4 };
  // One public URL for both, so that their challenges name the same metadata document.
  const publicUrl = "https://api.example.com";
  fast = await startApi({
    verifier,
    log,
    host: "127.0.0.1",
    router: testRouter,
    limits,
    publicUrl,
  });
  official = await startApi({
    verifier,
    log,
    host: "127.0.0.1",
    router: testRouter,
    limits,
    publicUrl,
    fastPath: false,
  });
  token = await issuer.signToken();
});
afterAll(async () => {
  await Promise.all([fast.close(), official.close()]);
  await issuer.close();
});

const PATHS = [
  "public",
  "protected",
  "value",
  "guarded",
  "fail",
  "change",
  "nope",
  "val%75e",
  "a.b",
  "",
  "%ZZ",
];
const enc = encodeURIComponent;

const inputValue = fc.oneof(
  fc.record({ k: fc.integer({ min: -50, max: 50 }) }),
  fc.record({ k: fc.integer(), json: fc.jsonValue() }),
  fc.jsonValue(),
);

const requestArb = fc.record({
  paths: fc.array(fc.constantFrom(...PATHS), { minLength: 1, maxLength: 6 }),
  // tRPC decodes the path before it splits a batch: an encoded comma separates calls too.
  comma: fc.constantFrom(",", ",", "%2C", "%2c"),
  // Spellings the URL parser reads as the same path: a trailing slash, a dot segment, a fragment.
  spelling: fc.constantFrom<"plain" | "slash" | "dots" | "fragment">(
    "plain",
    "plain",
    "slash",
    "dots",
    "fragment",
  ),
  batch: fc.constantFrom<"1" | "0" | "true" | undefined>("1", "1", "0", "true", undefined),
  input: fc.option(
    fc.oneof(
      inputValue.map((v) => JSON.stringify(v)),
      fc.array(inputValue, { maxLength: 6 }).map((list) => JSON.stringify({ ...list })),
      fc.string({ maxLength: 12 }),
    ),
    { nil: undefined },
  ),
  extra: fc.option(fc.constantFrom("x=1", "input=", "batch=1&batch=0", "a"), { nil: undefined }),
  authorization: fc.constantFrom<string | undefined>(
    undefined,
    "valid",
    "Bearer not.a.token",
    "Basic abc",
    "Bearer",
  ),
  trpcAccept: fc.constantFrom<string | undefined>(
    undefined,
    undefined,
    "application/jsonl",
    "other",
  ),
  accept: fc.constantFrom<string | undefined>(
    undefined,
    "application/json",
    "text/event-stream",
    "application/jsonl",
    "*/*",
  ),
  method: fc.constantFrom("GET", "GET", "GET", "POST"),
});

type Req = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function target(req: Req): string {
  const params: string[] = [];
  if (req.batch !== undefined) params.push(`batch=${req.batch}`);
  if (req.input !== undefined) params.push(`input=${enc(req.input)}`);
  if (req.extra !== undefined) params.push(req.extra);
  const path = req.paths.join(req.comma);
  const query = params.length > 0 ? `?${params.join("&")}` : "";
  if (req.spelling === "slash") return `/trpc/${path}/${query}`;
  if (req.spelling === "dots") return `/trpc/x/../${path}${query}`;
  if (req.spelling === "fragment") return `/trpc/${path}${query}#f`;
  return `/trpc/${path}${query}`;
}

// Framing (content-length or chunked) may differ; what a client acts on may not.
const HEADERS = [
  "content-type",
  "www-authenticate",
  "retry-after",
  "vary",
  "allow",
  "cache-control",
];

describe("the fast path answers exactly as the official adapter", () => {
  it("for random paths, query strings, inputs, headers and results", async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => {
        const headers: Record<string, string> = {};
        if (req.trpcAccept !== undefined) headers["trpc-accept"] = req.trpcAccept;
        if (req.accept !== undefined) headers.accept = req.accept;
        if (req.method === "POST") headers["content-type"] = "application/json";
        const options = {
          method: req.method,
          headers,
          ...(req.method === "POST" ? { body: req.input ?? "" } : {}),
          ...(req.authorization === undefined
            ? {}
            : {
                authorization:
                  req.authorization === "valid" ? `Bearer ${token}` : req.authorization,
              }),
        };
        const path = target(req);
        const a = await send(fast.url, path, options);
        const b = await send(official.url, path, options);
        const where = `${req.method} ${path} ${JSON.stringify(headers)}`;
        expect(a.status, where).toBe(b.status);
        for (const name of HEADERS)
          expect(a.headers[name], `${where} ${name}`).toBe(b.headers[name]);
        expect(a.text, where).toBe(b.text);
      }),
      { numRuns: 120 },
    );
  });

  for (const [index, make] of RESULTS.entries()) {
    it(`result #${index} (${kindOf(make)}) alone and in a batch`, async () => {
      const valid = { authorization: `Bearer ${token}` };
      for (const [path, options] of [
        [`/trpc/value?input=${enc(JSON.stringify({ k: index }))}`, valid],
        [`/trpc/value,public?batch=1&input=${enc(JSON.stringify({ 0: { k: index } }))}`, valid],
        [
          `/trpc/guarded,value?batch=1&input=${enc(JSON.stringify({ 0: { k: index }, 1: { k: index } }))}`,
          valid,
        ],
        // A refused call beside this result: its challenge stays even when the body cannot be built.
        [`/trpc/value,protected?batch=1&input=${enc(JSON.stringify({ 0: { k: index } }))}`, {}],
      ] as const) {
        const a = await send(fast.url, path, options);
        const b = await send(official.url, path, options);
        expect(a.status, path).toBe(b.status);
        for (const name of HEADERS)
          expect(a.headers[name], `${path} ${name}`).toBe(b.headers[name]);
        expect(a.text, path).toBe(b.text);
      }
    });
  }
});

function kindOf(make: () => unknown): string {
  const value = make();
  if (typeof value === "bigint") return "bigint";
  if (value instanceof Date) return "Date";
  if (value instanceof Promise) return "promise";
  if (value !== null && typeof value === "object" && Symbol.asyncIterator in value)
    return "async iterable";
  return typeof value;
}
