import {
  appRouter,
  type Context,
  createContext,
  protectedProcedure,
  RequestAuthorization,
  standaloneContextDeps,
} from "@repo/api-router";
import { type AccessToken, createAccessTokenVerifier, createDpopPolicy } from "@repo/auth/server";
import { issuedAtMs, ManualClock } from "@repo/auth/testing";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { callProcedure } from "@trpc/server/unstable-core-do-not-import";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

/** protectedProcedure's own middleware, called as tRPC's callRecursive calls it. */
type Middleware = (opts: {
  ctx: Context;
  path: string;
  type: "query";
  input: undefined;
  getRawInput: () => Promise<unknown>;
  signal: undefined;
  meta: undefined;
  next: (opts?: { ctx?: Partial<Context> }) => Promise<unknown>;
}) => unknown;
const guard = (protectedProcedure._def.middlewares as unknown as Middleware[])[0] as Middleware;

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/**
 * A verifier with no clock tolerance on a ManualClock. Given a token, the clock starts at its
 * `iat`: started any earlier (a second boundary passing before the token is signed), the token
 * would be "issued in the future".
 */
function setup(jwt?: string) {
  const clock = new ManualClock(jwt === undefined ? undefined : issuedAtMs(jwt));
  const verifier = createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    clockToleranceSeconds: 0,
    clock,
  });
  cleanup.push(() => verifier.keySet.close());
  const refused: string[] = [];
  const log = pino({ level: "silent" });
  const context = (authorization: string | undefined) =>
    createContext(
      standaloneContextDeps({ verifier, log, onAuthRefused: (reason) => refused.push(reason) }),
      authorization,
    );
  /** Call the guard; `nextCtx` is set the moment it calls next, synchronously or later. */
  const run = (ctx: Context) => {
    const seen: { nextCtx?: Partial<Context> } = {};
    const call = () =>
      guard({
        ctx,
        path: "protected",
        type: "query",
        input: undefined,
        getRawInput: async () => undefined,
        signal: undefined,
        meta: undefined,
        next: (opts) => {
          seen.nextCtx = opts?.ctx;
          return Promise.resolve({ ok: true, data: "resolved", ctx: opts?.ctx, marker: "m" });
        },
      });
    // As tRPC's callRecursive does, a synchronous throw becomes the call's failure.
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(call());
    } catch (error) {
      result = Promise.reject(error);
    }
    return { seen, result };
  };
  return { clock, verifier, refused, context, run };
}

describe("protectedProcedure: a cached token goes on synchronously", () => {
  it("calls the procedure within the same tick for a token the cache holds", async () => {
    const jwt = await issuer.signToken();
    const { verifier, context, run } = setup(jwt);
    const verified = await verifier.verify(jwt);
    const { seen, result } = run(context(`Bearer ${jwt}`));
    // No await between the call and this line: next has already run, with the cached token.
    expect(seen.nextCtx).toEqual({ auth: verified });
    expect((seen.nextCtx as { auth: AccessToken }).auth).toBe(verified);
    await expect(result).resolves.toMatchObject({ ok: true, data: "resolved" });
    expect(verifier.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1 });
  });

  it("serves every call of a request from its one header, each call a cache hit of its own", async () => {
    const jwt = await issuer.signToken();
    const { verifier, context, run } = setup(jwt);
    await verifier.verify(jwt);
    const ctx = context(`bEaReR ${jwt}`);
    const first = run(ctx);
    const second = run(ctx);
    expect(first.seen.nextCtx?.auth?.sub).toBe("demo-client@clients");
    expect(second.seen.nextCtx?.auth?.sub).toBe("demo-client@clients");
    expect(ctx.auth).toBeNull();
    expect(verifier.stats().cacheHits).toBe(2);
  });

  it("parses any other valid spelling of the header in full, then answers from the cache", async () => {
    const jwt = await issuer.signToken();
    const { verifier, context, run } = setup(jwt);
    await verifier.verify(jwt);
    const ctx = context(`Bearer   ${jwt}`);
    const { seen, result } = run(ctx);
    expect(seen.nextCtx).toBeUndefined();
    await expect(result).resolves.toMatchObject({ ok: true });
    expect(seen.nextCtx?.auth?.sub).toBe("demo-client@clients");
    expect(ctx.authorization.credential()).toEqual({ scheme: "bearer", token: jwt });
    expect(verifier.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1 });
  });

  it("never takes a token-like text after a header that is not one Bearer token", async () => {
    const jwt = await issuer.signToken();
    const { verifier, refused, context, run } = setup(jwt);
    await verifier.verify(jwt);
    for (const header of [`Basic ${jwt}`, `Bearer\t${jwt}`, `Bearer ${jwt},x`, `Bearerx${jwt}`]) {
      const { seen, result } = run(context(header));
      expect(seen.nextCtx).toBeUndefined();
      await expect(result).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    expect(refused).toEqual(Array(4).fill("invalid_request"));
  });

  it("falls back to the full verification for a token not cached yet, then caches it", async () => {
    const jwt = await issuer.signToken();
    const { verifier, context, run } = setup(jwt);
    const miss = run(context(`Bearer ${jwt}`));
    expect(miss.seen.nextCtx).toBeUndefined();
    await expect(miss.result).resolves.toMatchObject({ ok: true });
    expect(miss.seen.nextCtx?.auth?.sub).toBe("demo-client@clients");
    expect(run(context(`Bearer ${jwt}`)).seen.nextCtx?.auth?.sub).toBe("demo-client@clients");
    expect(verifier.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1 });
  });

  it("refuses a cached token once it expires, through the full path, with its reason", async () => {
    const jwt = await issuer.signToken({ expiresInSeconds: 60 });
    const { clock, verifier, refused, context, run } = setup(jwt);
    const { expiresAt } = await verifier.verify(jwt);
    clock.advance(expiresAt.getTime() - clock.now());
    const { seen, result } = run(context(`Bearer ${jwt}`));
    expect(seen.nextCtx).toBeUndefined();
    await expect(result).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      cause: { code: "expired" },
    });
    expect(seen.nextCtx).toBeUndefined();
    expect(refused).toEqual(["expired"]);
  });

  it("refuses a malformed header once per call of the request", async () => {
    const { refused, context, run } = setup();
    const ctx = context("Basic abc");
    await expect(run(ctx).result).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(run(ctx).result).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(refused).toEqual(["invalid_request", "invalid_request"]);
  });
});

describe("protected procedures called through tRPC's callProcedure, as the api's HTTP paths call them", () => {
  it("answers from the cached token, then refuses it through the full path once it expires", async () => {
    const jwt = await issuer.signToken({ expiresInSeconds: 60 });
    const { clock, verifier, refused, context } = setup(jwt);
    const call = (path: "protected" | "secret") =>
      callProcedure({
        router: appRouter,
        path,
        getRawInput: async () => undefined,
        ctx: context(`Bearer ${jwt}`),
        type: "query",
        signal: undefined,
        batchIndex: 0,
      });
    const { expiresAt } = await verifier.verify(jwt);
    await expect(call("protected")).resolves.toEqual({
      message: "This is a protected message!",
      sub: "demo-client@clients",
    });
    await expect(call("secret")).resolves.toMatchObject({ sub: "demo-client@clients" });
    expect(verifier.stats()).toMatchObject({ cacheHits: 2, cacheMisses: 1 });
    clock.advance(expiresAt.getTime() - clock.now());
    await expect(call("protected")).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      cause: { code: "expired" },
    });
    expect(refused).toEqual(["expired"]);
  });
});

const POLICY = createDpopPolicy();

describe("the cache candidate: what follows `Bearer ` in a single header, the scheme in any case", () => {
  it("takes exactly the headers whose first six characters lowercase to bearer, then one space", () => {
    const token = "abc.def.ghi";
    // Every UTF-16 code at every position of the scheme, against the plain reading of the rule.
    for (let position = 0; position < 6; position++) {
      for (let code = 0; code < 0x10000; code++) {
        const scheme = `${"Bearer".slice(0, position)}${String.fromCharCode(code)}${"Bearer".slice(position + 1)}`;
        const expected = scheme.toLowerCase() === "bearer" ? token : undefined;
        const got = new RequestAuthorization(`${scheme} ${token}`, POLICY).cacheCandidate();
        if (got !== expected) expect({ scheme, got }).toEqual({ scheme, got: expected });
      }
    }
    for (const header of ["Bearer\tx", "Bearer", "Bearer ", "Bearerx y", undefined, ["Bearer x"]]) {
      expect(
        new RequestAuthorization(header, POLICY).cacheCandidate(),
        String(header),
      ).toBeUndefined();
    }
  });
});
