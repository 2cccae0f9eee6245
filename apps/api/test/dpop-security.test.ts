import { createClientCredentialsTokenSource, createDpopSigner } from "@repo/auth/client";
import { DPOP_NONCE_WINDOW_MS } from "@repo/auth/server";
import { ManualClock } from "@repo/auth/testing";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DpopSettings } from "../src/config.ts";
import {
  ALGS,
  craftProof,
  DPOP_CASES,
  type DpopCase,
  type DpopParts,
  type DpopStackKind,
  type DpopTokens,
  dpopTokens,
  TRANSPORTS,
  type Transport,
} from "./support/dpop-cases.ts";
import { type Exchange, send } from "./support/http-exchange.ts";
import { metadataParam } from "./support/resource-metadata.ts";
import {
  type ApiUnderTest,
  type InProcessApi,
  spawnApi,
  startApiInProcess,
} from "./support/start-stack.ts";

// Every row of the DPoP table (support/dpop-cases.ts) on every transport of an api in the row's
// mode: tRPC GET query, GET batch, POST mutation, REST, an SSE connect and a jsonl stream batch.
// The apis run in this process, wired to the real local issuer; the `required` rows run once more
// against the real entry point started with AUTHACTION_DPOP=required.

const SETTINGS: Record<DpopStackKind, DpopSettings> = {
  allowed: { mode: "allowed", nonces: undefined },
  required: { mode: "required", nonces: undefined },
  disabled: { mode: "disabled", nonces: undefined },
  nonce: { mode: "allowed", nonces: { secret: undefined } },
};
const KINDS = Object.keys(SETTINGS) as DpopStackKind[];

/** A nonce as the api makes them: 18 bytes of HMAC, base64url. */
const NONCE = /^[A-Za-z0-9_-]{24}$/;

let issuer: LocalIssuer;
let tokens: DpopTokens;
const apis = new Map<DpopStackKind, ApiUnderTest>();
let nonce: string;

beforeAll(async () => {
  issuer = await startLocalIssuer();
  tokens = await dpopTokens(issuer);
  const verifier = { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri };
  for (const kind of KINDS) {
    const api = await startApiInProcess({ verifier, dpop: SETTINGS[kind] });
    apis.set(kind, api);
    await warm(api, kind);
  }
  // The nonce api's current nonce, from the challenge to a proof without one.
  const api = apiOf("nonce");
  const challenge = await send(api.url, "/protected", {
    authorization: `DPoP ${tokens.bound}`,
    headers: { dpop: await tokens.signer.proofFor("GET", `${api.url}/protected`, tokens.bound) },
  });
  expect(challenge.status).toBe(401);
  nonce = String(challenge.headers["dpop-nonce"]);
  expect(nonce).toMatch(NONCE);
}, 90_000);

afterAll(async () => {
  await Promise.all([...apis.values()].map((api) => api.close()));
  await issuer?.close();
});

/**
 * One accepted mutation, so that the key set is loaded and the message board (PGlite, opened at
 * its first use) is open before any row runs, whichever rows run.
 */
async function warm(api: ApiUnderTest, kind: DpopStackKind): Promise<void> {
  const url = `${api.url}/trpc/postMessage`;
  const res = await send(api.url, "/trpc/postMessage", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(kind === "required"
        ? { dpop: await tokens.signer.proofFor("POST", url, tokens.bound) }
        : {}),
    },
    authorization: kind === "required" ? `DPoP ${tokens.bound}` : `Bearer ${tokens.unbound}`,
    body: JSON.stringify({ text: "warming up" }),
  });
  expect(res.status, `warming the ${kind} api`).toBe(200);
}

function apiOf(kind: DpopStackKind): ApiUnderTest {
  const api = apis.get(kind);
  if (api === undefined) throw new Error(`the ${kind} api did not start`);
  return api;
}

function partsFor(api: ApiUnderTest, transport: Transport, from: DpopTokens, kind: DpopStackKind) {
  const target = new URL(transport.target, api.url);
  target.search = "";
  const parts: DpopParts = {
    ...from,
    method: transport.method,
    htu: target.href,
    nonce: kind === "nonce" ? nonce : undefined,
  };
  return parts;
}

/**
 * Send `row`'s request on `transport` and assert everything its answer must be: the status (never
 * 5xx), the exact challenge, the body (tRPC envelope or REST `{error, message}`), no-store, a
 * DPoP-Nonce only where nonces are on, and neither token nor proof in the answer or the logs.
 */
async function checkRow(
  api: ApiUnderTest,
  row: DpopCase,
  transport: Transport,
  parts: DpopParts,
): Promise<void> {
  const sent = await row.build(parts);
  const expected = typeof row.expected === "function" ? row.expected(parts.method) : row.expected;
  const request = () =>
    send(api.url, transport.target, {
      method: transport.method,
      headers: { ...transport.headers, ...(sent.dpop === undefined ? {} : { dpop: sent.dpop }) },
      ...(sent.authorization === undefined ? {} : { authorization: sent.authorization }),
      ...(transport.body === undefined ? {} : { body: transport.body }),
      ...(transport.readUntil === undefined ? {} : { readUntil: transport.readUntil }),
    });
  if (sent.replay === true) {
    const first = await request();
    expect(first.status, "the first use of the proof").toBe(200);
  }
  const res = await request();

  expect(res.status).toBe(expected.status);
  expect(res.headers["www-authenticate"]).toBe(expected.challenge?.(metadataParam(api.url)));
  expect(res.headers["cache-control"]).toMatch(/\bno-store\b/);
  if (expected.nonce === true) expect(res.headers["dpop-nonce"]).toMatch(NONCE);
  else expect(res.headers["dpop-nonce"]).toBeUndefined();
  if (expected.status === 200) transport.accepted(res);
  else {
    const { status, reason, description } = expected;
    if (reason === undefined || description === undefined) throw new Error("a refusal row");
    transport.refused(res, { status, reason, description });
  }

  const proofs = sent.dpop === undefined ? [] : [sent.dpop].flat();
  const secrets = [parts.bound, parts.unbound, parts.expiredBound, ...proofs];
  const answer = `${JSON.stringify(res.headers)}\n${res.text}`;
  for (const secret of secrets)
    expect(answer.includes(secret), "echoed a token or proof").toBe(false);
  const logs = api.rawLogs();
  for (const secret of secrets)
    expect(logs.includes(secret), "logged a token or proof").toBe(false);
}

describe("the DPoP table", () => {
  it("has uniquely named rows, accepted and refused ones in every mode", () => {
    expect(new Set(DPOP_CASES.map((row) => row.name)).size).toBe(DPOP_CASES.length);
    const accepts = (row: DpopCase) =>
      typeof row.expected !== "function" && row.expected.status === 200;
    const refuses = (row: DpopCase) => !accepts(row);
    for (const kind of KINDS) {
      expect(
        DPOP_CASES.some((row) => row.stack === kind && accepts(row)),
        kind,
      ).toBe(true);
      expect(
        DPOP_CASES.some((row) => row.stack === kind && refuses(row)),
        kind,
      ).toBe(true);
    }
  });
});

describe.each(DPOP_CASES.map((row) => [row.name, row] as const))("%s", (_name, row) => {
  it.each(TRANSPORTS.map((transport) => [transport.name, transport] as const))(
    "on %s",
    async (_transport, transport) => {
      const api = apiOf(row.stack);
      await checkRow(api, row, transport, partsFor(api, transport, tokens, row.stack));
    },
  );
});

describe("tRPC GET queries through the official adapter (API fast path off)", () => {
  let official: ApiUnderTest | undefined;
  beforeAll(async () => {
    official = await startApiInProcess({
      verifier: { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri },
      fastPath: false,
    });
  });
  afterAll(() => official?.close());

  const rows = DPOP_CASES.filter((row) => row.stack === "allowed");
  const queries = TRANSPORTS.filter((t) => t.method === "GET" && t.target.startsWith("/trpc/p"));
  describe.each(rows.map((row) => [row.name, row] as const))("%s", (_name, row) => {
    it.each(queries.map((transport) => [transport.name, transport] as const))(
      "on %s",
      async (_transport, transport) => {
        if (official === undefined) throw new Error("the api did not start");
        await checkRow(official, row, transport, partsFor(official, transport, tokens, "allowed"));
      },
    );
  });
});

describe("nonce challenge and retry (RFC 9449 §8): the client signer answers the challenge once", () => {
  it.each(TRANSPORTS.map((transport) => [transport.name, transport] as const))(
    "on %s: 401 use_dpop_nonce with a DPoP-Nonce, then the retry with it succeeds and carries DPoP-Nonce",
    async (_name, transport) => {
      const api = apiOf("nonce");
      // A signer of its own over the bound key: it has no nonce yet.
      const signer = await createDpopSigner({ keyPair: tokens.key });
      const url = new URL(transport.target, api.url);
      const call = async () =>
        send(api.url, transport.target, {
          method: transport.method,
          headers: {
            ...transport.headers,
            dpop: await signer.proofFor(transport.method, url, tokens.bound),
          },
          authorization: `DPoP ${tokens.bound}`,
          ...(transport.body === undefined ? {} : { body: transport.body }),
          ...(transport.readUntil === undefined ? {} : { readUntil: transport.readUntil }),
        });
      const challenged = await call();
      expect(challenged.status).toBe(401);
      expect(challenged.headers["www-authenticate"]).toMatch(
        /, DPoP algs="[^"]+", error="use_dpop_nonce"/,
      );
      const given = challenged.headers["dpop-nonce"];
      expect(given).toMatch(NONCE);
      signer.rememberNonce(url, new Headers({ "dpop-nonce": String(given) }));

      const retried = await call();
      expect(retried.status).toBe(200);
      transport.accepted(retried);
      expect(retried.headers["dpop-nonce"]).toMatch(NONCE);
    },
  );
});

describe("random DPoP headers and proofs never pass, never answer 5xx (property-based)", () => {
  /** What node's HTTP client puts in a header value: HTAB, visible ASCII, space, obs-text. */
  const HEADER_CHARS = [
    "\t",
    ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
    ...Array.from({ length: 0x100 - 0x80 }, (_, i) => String.fromCharCode(0x80 + i)),
  ];
  const headerText = fc.string({ unit: fc.constantFrom(...HEADER_CHARS), maxLength: 300 });
  const oddValue = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  // Each member a proof is checked on: an odd value there must be refused, whatever it is.
  const CHECKED_HEADER = ["typ", "alg", "jwk"] as const;
  const CHECKED_CLAIMS = ["htm", "htu", "iat", "jti", "ath"] as const;

  async function expectRefused(res: Exchange, where: string) {
    expect([400, 401], where).toContain(res.status);
    expect(res.headers["www-authenticate"], where).toMatch(/DPoP algs="/);
  }

  it.each(["/protected", "/trpc/protected"])(
    "a random DPoP header value beside a bound token is refused on %s",
    async (path) => {
      const api = apiOf("allowed");
      await fc.assert(
        fc.asyncProperty(headerText, async (value) => {
          const res = await send(api.url, path, {
            authorization: `DPoP ${tokens.bound}`,
            headers: { dpop: value },
          });
          await expectRefused(res, JSON.stringify(value));
        }),
        { numRuns: 60 },
      );
    },
  );

  it.each(["/protected", "/trpc/protected"])(
    "a signed proof with an odd value in a checked member is refused on %s",
    async (path) => {
      const api = apiOf("allowed");
      const member = fc.oneof(
        fc.record({
          where: fc.constant("header" as const),
          name: fc.constantFrom(...CHECKED_HEADER),
        }),
        fc.record({
          where: fc.constant("claims" as const),
          name: fc.constantFrom(...CHECKED_CLAIMS),
        }),
      );
      await fc.assert(
        fc.asyncProperty(member, oddValue, async ({ where, name }, value) => {
          // Values that are valid there: any unique string is a jti; the request's own method.
          fc.pre(!(name === "jti" && typeof value === "string" && value.length > 0));
          fc.pre(!(name === "htm" && value === "GET"));
          const nowSeconds = Date.now() / 1000;
          fc.pre(
            !(name === "iat" && typeof value === "number" && Math.abs(value - nowSeconds) < 400),
          );
          const parts = {
            ...tokens,
            method: "GET" as const,
            htu: `${api.url}${path}`,
            nonce: undefined,
          };
          const dpop = await craftProof(parts, { [where]: { [name]: value } });
          const res = await send(api.url, path, {
            authorization: `DPoP ${tokens.bound}`,
            headers: { dpop },
          });
          await expectRefused(res, `${where}.${name} = ${JSON.stringify(value)}`);
        }),
        { numRuns: 80 },
      );
    },
  );
});

describe("server nonces across replicas and windows (RFC 9449 §9, AUTHACTION_DPOP_NONCE_SECRET)", () => {
  const SECRET = "the-same-nonce-secret-on-every-replica";

  async function nonceApi(secret: string | undefined, clock?: ManualClock) {
    return startApiInProcess({
      verifier: {
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: issuer.jwksUri,
        ...(clock === undefined ? {} : { clock }),
      },
      dpop: { mode: "allowed", nonces: { secret } },
    });
  }

  /** GET /protected with a proof carrying `nonce`, its iat read from `now`. */
  async function callWithNonce(api: InProcessApi, nonce: string | undefined, now = Date.now()) {
    const dpop = await craftProof(
      { ...tokens, method: "GET", htu: `${api.url}/protected`, nonce },
      { claims: { iat: Math.floor(now / 1000) } },
    );
    return send(api.url, "/protected", {
      authorization: `DPoP ${tokens.bound}`,
      headers: { dpop },
    });
  }

  it("a nonce one replica gave is accepted by another with the same secret, not by one with its own random key", async () => {
    const [a, b, random] = await Promise.all([
      nonceApi(SECRET),
      nonceApi(SECRET),
      nonceApi(undefined),
    ]);
    try {
      const challenge = await callWithNonce(a, undefined);
      expect(challenge.status).toBe(401);
      const given = String(challenge.headers["dpop-nonce"]);
      expect(given).toMatch(NONCE);
      const other = await callWithNonce(b, given);
      expect(other.status).toBe(200);
      expect(other.headers["dpop-nonce"]).toBe(given);
      const refused = await callWithNonce(random, given);
      expect(refused.status).toBe(401);
      expect(refused.json).toEqual({
        error: "use_dpop_nonce",
        message: "The DPoP nonce is stale: retry with the DPoP-Nonce given",
      });
      expect(refused.headers["dpop-nonce"]).toMatch(NONCE);
      expect(refused.headers["dpop-nonce"]).not.toBe(given);
    } finally {
      await Promise.all([a.close(), b.close(), random.close()]);
    }
  });

  it("rotates: the previous window's nonce is still accepted, an older one is challenged with the current", async () => {
    const clock = new ManualClock();
    const api = await nonceApi(SECRET, clock);
    try {
      const first = String(
        (await callWithNonce(api, undefined, clock.now())).headers["dpop-nonce"],
      );
      expect(first).toMatch(NONCE);

      clock.advance(DPOP_NONCE_WINDOW_MS);
      const next = await callWithNonce(api, first, clock.now());
      expect(next.status).toBe(200);
      const rotated = String(next.headers["dpop-nonce"]);
      expect(rotated).toMatch(NONCE);
      expect(rotated).not.toBe(first);

      clock.advance(DPOP_NONCE_WINDOW_MS);
      const stale = await callWithNonce(api, first, clock.now());
      expect(stale.status).toBe(401);
      expect(stale.headers["www-authenticate"]).toContain('error="use_dpop_nonce"');
      const current = String(stale.headers["dpop-nonce"]);
      expect([first, rotated]).not.toContain(current);
      expect((await callWithNonce(api, current, clock.now())).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});

describe("the verified-token cache and proofs (the token is cached, its proof never is)", () => {
  it("serves a bound token from the cache on the next request, and still refuses that request's replayed proof", async () => {
    const api = await startApiInProcess({
      verifier: { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri },
    });
    try {
      const call = (dpop: string) =>
        send(api.url, "/protected", { authorization: `DPoP ${tokens.bound}`, headers: { dpop } });
      const htu = `${api.url}/protected`;
      expect((await call(await tokens.signer.proofFor("GET", htu, tokens.bound))).status).toBe(200);
      const before = api.verifier.stats();
      const second = await tokens.signer.proofFor("GET", htu, tokens.bound);
      expect((await call(second)).status).toBe(200);
      expect(api.verifier.stats().cacheHits).toBe(before.cacheHits + 1);
      const replayed = await call(second);
      expect(replayed.status).toBe(401);
      expect(replayed.json).toEqual({
        error: "invalid_dpop_proof",
        message: "DPoP proof jti was used before",
      });
    } finally {
      await api.close();
    }
  });
});

describe("a DPoP-bound token without the procedure's scope (RFC 9449 §7.1 with RFC 6750 §3.1)", () => {
  it.each([
    ["a tRPC query", "GET", "/trpc/secret", "read:secret", {}, undefined],
    [
      "a tRPC mutation",
      "POST",
      "/trpc/postMessage",
      "write:messages",
      { "content-type": "application/json" },
      JSON.stringify({ text: "not allowed" }),
    ],
    [
      "an SSE connect",
      "GET",
      "/trpc/onMessage",
      "read:messages",
      { accept: "text/event-stream" },
      undefined,
    ],
  ] as const)(
    "on %s: 403 insufficient_scope in the DPoP challenge, beside Bearer",
    async (_name, method, path, scope, headers, body) => {
      const api = apiOf("allowed");
      const limited = await createClientCredentialsTokenSource({
        tokenUrl: issuer.tokenUrl,
        clientId: "limited-client",
        clientSecret: "limited-secret",
        audience: issuer.audience,
        dpop: tokens.signer,
      }).getToken();
      const res = await send(api.url, path, {
        method,
        authorization: `DPoP ${limited}`,
        headers: {
          ...headers,
          dpop: await tokens.signer.proofFor(method, `${api.url}${path}`, limited),
        },
        ...(body === undefined ? {} : { body }),
      });
      expect(res.status).toBe(403);
      const meta = metadataParam(api.url);
      const description = `Token lacks scope ${scope}`;
      expect(res.headers["www-authenticate"]).toBe(
        `Bearer realm="api", ${meta}, DPoP algs="${ALGS}", error="insufficient_scope", ` +
          `error_description="${description}", scope="${scope}", ${meta}`,
      );
      expect(res.text).not.toContain(limited);
    },
  );
});

describe("the real entry point with AUTHACTION_DPOP=required", () => {
  let spawned: ApiUnderTest | undefined;
  beforeAll(async () => {
    spawned = await spawnApi({
      AUTHACTION_ISSUER: issuer.issuer,
      AUTHACTION_AUDIENCE: issuer.audience,
      AUTHACTION_DPOP: "required",
    });
    await warm(spawned, "required");
  }, 90_000);
  afterAll(async () => {
    // close() rejects unless the process exits 0 on its one SIGTERM.
    await spawned?.close();
  });

  const rows = DPOP_CASES.filter((row) => row.stack === "required");
  describe.each(rows.map((row) => [row.name, row] as const))("%s", (_name, row) => {
    it.each(TRANSPORTS.map((transport) => [transport.name, transport] as const))(
      "on %s",
      async (_transport, transport) => {
        if (spawned === undefined) throw new Error("the entry point did not start");
        await checkRow(spawned, row, transport, partsFor(spawned, transport, tokens, "required"));
      },
    );
  });
});
