import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "./support/http-exchange.ts";
import { withMetadata } from "./support/resource-metadata.ts";
import {
  CLIENT_ID,
  createFixture,
  type Fixture,
  issuerSigned,
  SUBJECT,
  stackEnv,
} from "./support/security-fixture.ts";
import { type ApiUnderTest, startApiFromEnv } from "./support/start-stack.ts";

// Scopes: declared per procedure (`secret` requires read:secret), read from `scope`
// (space-separated) and, where present, the `scp` and `permissions` arrays. A valid token without
// the scope is 403 insufficient_scope with scope="..."; an invalid one is 401 first.
let f: Fixture;
let api: ApiUnderTest;

beforeAll(async () => {
  f = await createFixture();
  api = await startApiFromEnv(stackEnv("default", f));
});
afterAll(async () => {
  await api.close();
  await f.close();
});

const INSUFFICIENT =
  'Bearer realm="api", error="insufficient_scope", error_description="Token lacks scope read:secret", scope="read:secret"';

const GRANTED: Array<[string, Record<string, unknown>]> = [
  ["scope with exactly read:secret", { scope: "read:secret" }],
  ["scope listing several, space-separated", { scope: "read:public read:secret" }],
  ["scope with extra spaces", { scope: "  read:public   read:secret " }],
  ["an scp array only", { scope: undefined, scp: ["read:secret"] }],
  ["an scp string only", { scope: undefined, scp: "read:public read:secret" }],
  ["a permissions array only", { scope: undefined, permissions: ["read:secret"] }],
  [
    "scope without it but permissions with it",
    { scope: "read:public", permissions: ["read:secret"] },
  ],
];

const LACKING: Array<[string, Record<string, unknown>]> = [
  ["scope read:public only", { scope: "read:public" }],
  ["a longer scope sharing the prefix", { scope: "read:secrets read:secret:x" }],
  ["the scope in upper case (scopes are case-sensitive)", { scope: "READ:SECRET" }],
  ["scopes separated by commas", { scope: "read:public,read:secret" }],
  ["an empty scope", { scope: "" }],
  ["no scope, scp or permissions claim", { scope: undefined }],
  ["an empty scp array", { scope: undefined, scp: [] }],
];

describe("scopes on /trpc/secret", () => {
  it.each(GRANTED)("a token with %s is answered 200", async (_name, overrides) => {
    const res = await send(api.url, "/trpc/secret", {
      authorization: `Bearer ${issuerSigned(f, { claims: overrides })}`,
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      result: { data: { message: "This is a secret message!", sub: SUBJECT } },
    });
  });

  it.each(LACKING)(
    "a token with %s is 403 insufficient_scope, logged once",
    async (_name, overrides) => {
      const before = api.logs.length;
      const token = issuerSigned(f, { claims: overrides });
      const res = await send(api.url, "/trpc/secret", { authorization: `Bearer ${token}` });
      expect(res.status).toBe(403);
      expect(res.headers["www-authenticate"]).toBe(withMetadata(INSUFFICIENT, api.url));
      expect(res.json).toEqual({
        error: {
          message: "Token lacks scope read:secret",
          code: -32003,
          data: {
            code: "FORBIDDEN",
            httpStatus: 403,
            path: "secret",
            reason: "insufficient_scope",
          },
        },
      });
      const refusals = api.logs.slice(before).filter((line) => line.event === "auth_refused");
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatchObject({
        reason: "insufficient_scope",
        path: "secret",
        sub: SUBJECT,
        clientId: CLIENT_ID,
      });
      expect(api.rawLogs()).not.toContain(token);
    },
  );

  it.each([
    ["permissions as a string", { permissions: "read:secret" }, "permissions"],
    ["scp with a number", { scp: ["read:secret", 42] }, "scp"],
    ["scope as an array", { scope: ["read:secret"] }, "scope"],
  ])("a token with %s is 401 invalid_claim, not half-trusted", async (_name, overrides, claim) => {
    const res = await send(api.url, "/trpc/secret", {
      authorization: `Bearer ${issuerSigned(f, { claims: overrides })}`,
    });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(
      withMetadata(
        `Bearer realm="api", error="invalid_token", error_description="Token ${claim} claim is invalid"`,
        api.url,
      ),
    );
  });

  it("an expired token with the scope is 401 invalid_token (authentication comes first)", async () => {
    const token = issuerSigned(f, { claims: { exp: Math.floor(Date.now() / 1000) - 60 } });
    const res = await send(api.url, "/trpc/secret", { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/error="invalid_token"/);
  });

  it("no token is 401 with a bare challenge, not 403", async () => {
    const res = await send(api.url, "/trpc/secret");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(withMetadata('Bearer realm="api"', api.url));
  });

  it("a batch of public and secret with a token lacking the scope: 207, public answered", async () => {
    const token = issuerSigned(f, { claims: { scope: "read:public" } });
    const res = await send(api.url, "/trpc/public,protected,secret?batch=1", {
      authorization: `Bearer ${token}`,
    });
    expect(res.status).toBe(207);
    expect(res.headers["www-authenticate"]).toBe(withMetadata(INSUFFICIENT, api.url));
    const [pub, prot, secret] = res.json as [unknown, unknown, unknown];
    expect(pub).toEqual({ result: { data: { message: "This is a public message!" } } });
    expect(prot).toEqual({
      result: { data: { message: "This is a protected message!", sub: SUBJECT } },
    });
    expect(secret).toMatchObject({
      error: { data: { code: "FORBIDDEN", reason: "insufficient_scope" } },
    });
  });
});

describe("afterwards", () => {
  it("still answers a valid token with 200", async () => {
    const res = await send(api.url, "/trpc/secret", {
      authorization: `Bearer ${await f.issuer.signToken()}`,
    });
    expect(res.status).toBe(200);
  });
});
