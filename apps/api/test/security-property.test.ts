import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ENDPOINTS } from "./support/check-case.ts";
import { b64url, craftToken } from "./support/craft-token.ts";
import { type Exchange, send } from "./support/http-exchange.ts";
import {
  claims,
  createFixture,
  type Fixture,
  issuerSigned,
  stackEnv,
} from "./support/security-fixture.ts";
import { type ApiUnderTest, startApiFromEnv } from "./support/start-stack.ts";

// Property-based: random Authorization headers and random three-part tokens thrown at the
// protected procedure (tRPC and REST), with the verified-token cache on. Never a 2xx, never a 5xx,
// always a Bearer challenge (RFC 6750 §3). Random kids also exercise the unknown-kid refetch: the
// JWKS must not be fetched more than once per cooldown (go-oidc #482), and never become
// unavailable (no 503). Each test checks that on its own, in afterEach.
let f: Fixture;
let api: ApiUnderTest;
let validToken: string;

beforeAll(async () => {
  f = await createFixture();
  // An hour of cooldown: no test runs that long, so at most one refetch per test, however slowly.
  api = await startApiFromEnv({
    ...stackEnv("default", f),
    AUTHACTION_JWKS_COOLDOWN_MS: "3600000",
  });
  validToken = issuerSigned(f);
  // Load the key set first, so that every later fetch is an unknown-kid refetch.
  expect(
    (await send(api.url, "/protected", { authorization: `Bearer ${validToken}` })).status,
  ).toBe(200);
});
afterAll(async () => {
  await api.close();
  await f.close();
});

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** What node's HTTP client will put in a header value: HTAB, visible ASCII, space, obs-text. */
const HEADER_CHARS = [
  "\t",
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
  ...Array.from({ length: 0x100 - 0x80 }, (_, i) => String.fromCharCode(0x80 + i)),
];

const segment = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...B64URL.split("")), maxLength });
const headerText = fc.string({ unit: fc.constantFrom(...HEADER_CHARS), maxLength: 300 });
const oddValue = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A random protected header: mostly plausible fields, sometimes absurd ones. */
const randomHeader = fc.record(
  {
    alg: fc.oneof(
      fc.constantFrom("RS256", "PS256", "ES256", "HS256", "none", "None", "EdDSA", ""),
      oddValue,
    ),
    kid: fc.oneof(fc.string({ maxLength: 64 }), fc.uuid(), oddValue),
    typ: fc.oneof(fc.constantFrom("JWT", "at+jwt"), oddValue),
    crit: fc.oneof(fc.constantFrom(["b64"], ["exp"], []), oddValue),
    b64: fc.oneof(fc.boolean(), oddValue),
    jku: fc.constant(`http://127.0.0.1:1/jwks.json`),
    jwk: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

/** Random claims: a valid set with random overrides, or any JSON at all. */
const randomPayload = (fixture: () => Fixture) =>
  fc.oneof(
    fc
      .dictionary(
        fc.constantFrom("iss", "sub", "aud", "exp", "nbf", "iat", "scope", "scp"),
        oddValue,
      )
      .map((overrides) => ({ json: JSON.stringify(claims("default", fixture(), overrides)) })),
    fc.jsonValue({ maxDepth: 3 }).map((value) => ({ json: JSON.stringify(value) ?? "null" })),
  );

async function expectRefused(authorization: string): Promise<void> {
  for (const endpoint of ENDPOINTS) {
    const res = await send(api.url, endpoint, { authorization });
    expectRefusal(res, endpoint, authorization);
  }
}

function expectRefusal(res: Exchange, endpoint: string, authorization: string): void {
  const where = `${endpoint} with ${JSON.stringify(authorization).slice(0, 200)}`;
  expect([400, 401], where).toContain(res.status);
  expect(res.headers["www-authenticate"], where).toMatch(/^Bearer realm="api"/);
  if (endpoint === "/protected") {
    expect(res.json, where).toMatchObject({
      error: expect.any(String),
      message: expect.any(String),
    });
  } else {
    expect(res.json, where).toMatchObject({
      error: {
        data: {
          code: res.status === 400 ? "BAD_REQUEST" : "UNAUTHORIZED",
          reason: expect.any(String),
        },
      },
    });
  }
}

describe("random input never gets in and never breaks the api", () => {
  it("random Authorization header values", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          headerText,
          headerText.map((text) => `Bearer ${text}`),
        ),
        async (authorization) => expectRefused(authorization),
      ),
      { numRuns: 300 },
    );
  });

  it("random three-part base64url tokens", async () => {
    await fc.assert(
      fc.asyncProperty(segment(120), segment(400), segment(400), async (h, p, s) =>
        expectRefused(`Bearer ${h}.${p}.${s}`),
      ),
      { numRuns: 150 },
    );
  });

  it("random JSON headers and claims with random kids and signatures", async () => {
    await fc.assert(
      fc.asyncProperty(
        randomHeader,
        randomPayload(() => f),
        fc.uint8Array({ maxLength: 300 }),
        async (header, payload, signature) => {
          const unsigned = craftToken({ header, payload });
          await expectRefused(`Bearer ${unsigned}${b64url(signature)}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a valid token with any one character changed, inserted or removed", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Segment ends are where base64url decoders are lenient: weigh them in.
        fc.oneof(
          fc.nat({ max: validToken.length - 1 }),
          fc.constantFrom(
            0,
            validToken.indexOf(".") - 1,
            validToken.lastIndexOf(".") - 1,
            validToken.length - 1,
          ),
        ),
        fc.constantFrom(...B64URL.split(""), ".", "="),
        fc.constantFrom("replace", "insert", "remove"),
        async (index, char, edit) => {
          const before = validToken.slice(0, index);
          const after = validToken.slice(index + 1);
          const changed =
            edit === "replace"
              ? `${before}${char}${after}`
              : edit === "insert"
                ? `${before}${char}${validToken.slice(index)}`
                : `${before}${after}`;
          fc.pre(changed !== validToken);
          await expectRefused(`Bearer ${changed}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("one signed token has one spelling", () => {
  it("every other last character of the signature is refused, even those decoding to the same bytes", async () => {
    const signature = validToken.split(".")[2] ?? "";
    const same = B64URL.split("").filter(
      (c) =>
        Buffer.from(`${signature.slice(0, -1)}${c}`, "base64url").equals(
          Buffer.from(signature, "base64url"),
        ) && c !== signature.at(-1),
    );
    // An RSA-2048 signature is 342 characters: its last one carries 4 unused bits.
    expect(same).toHaveLength(15);
    for (const c of B64URL.split("")) {
      if (c === signature.at(-1)) continue;
      await expectRefused(`Bearer ${validToken.slice(0, -1)}${c}`);
    }
    for (const padding of ["=", "==", "==="]) await expectRefused(`Bearer ${validToken}${padding}`);
  });
});

let logsBefore = 0;
let jwksBefore = 0;
beforeEach(() => {
  logsBefore = api.logs.length;
  jwksBefore = f.issuer.requestCounts().jwks;
});

afterEach(async () => {
  // Whatever the test threw at the api: it fetched the JWKS at most once (the cooldown held),
  // logged no failure, and still answers a valid token.
  expect(f.issuer.requestCounts().jwks - jwksBefore, "JWKS fetches").toBeLessThanOrEqual(1);
  const failures = api.logs
    .slice(logsBefore)
    .filter((line) =>
      ["request_failed", "auth_error", "key_set_refresh_failed"].includes(String(line.event)),
    );
  expect(failures).toEqual([]);
  for (const endpoint of ENDPOINTS) {
    const res = await send(api.url, endpoint, { authorization: `Bearer ${validToken}` });
    expect(res.status, endpoint).toBe(200);
  }
});
