import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  importJWK,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_AUDIENCE,
  DEFAULT_CLIENTS,
  type LocalIssuer,
  startLocalIssuer,
} from "../src/index.ts";
import { DEMO_PARAMS, postJson } from "./token-requests.ts";

let issuer: LocalIssuer;

beforeEach(async () => {
  issuer = await startLocalIssuer();
});
afterEach(() => issuer.close());

async function localKeySet() {
  return createLocalJWKSet((await (await fetch(issuer.jwksUri)).json()) as JSONWebKeySet);
}

describe("startLocalIssuer", () => {
  it("defaults the issuer to the URL of the ephemeral port it bound", () => {
    expect(issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:(\d+)$/);
    expect(issuer.url).not.toMatch(/:0$/);
    expect(issuer.issuer).toBe(issuer.url);
    expect(issuer.audience).toBe(DEFAULT_AUDIENCE);
  });

  it("exports the demo clients", () => {
    expect(DEFAULT_CLIENTS.map((client) => client.clientId)).toEqual([
      "demo-client",
      "limited-client",
      "demo-key-client",
    ]);
  });

  it("rejects invalid options before listening", async () => {
    await expect(startLocalIssuer({ audiences: [] })).rejects.toThrow(/audiences/);
    await expect(startLocalIssuer({ tokenLifetimeSeconds: 0 })).rejects.toThrow(/lifetime/);
    await expect(startLocalIssuer({ port: 70_000 })).rejects.toThrow(/port/);
    await expect(
      startLocalIssuer({ clients: [...DEFAULT_CLIENTS, DEFAULT_CLIENTS[0]!] }),
    ).rejects.toThrow(/twice/);
  });

  it("rejects a port already in use", async () => {
    const port = Number(new URL(issuer.url).port);
    await expect(startLocalIssuer({ port })).rejects.toThrow(/EADDRINUSE/);
  });

  it("close() is idempotent", async () => {
    await Promise.all([issuer.close(), issuer.close()]);
    await issuer.close();
    await expect(fetch(issuer.jwksUri)).rejects.toThrow();
  });

  it("logs one line per request when given a log function", async () => {
    const lines: string[] = [];
    const logged = await startLocalIssuer({ log: (line) => lines.push(line) });
    await (await fetch(`${logged.url}/.well-known/jwks.json?x=1`)).arrayBuffer();
    await logged.close();
    expect(lines).toEqual(["GET /.well-known/jwks.json 200"]);
  });
});

describe("signToken", () => {
  it("mints a token like the token endpoint's by default", async () => {
    const token = await issuer.signToken();
    const { payload, protectedHeader } = await jwtVerify(token, await localKeySet(), {
      issuer: issuer.issuer,
      audience: issuer.audience,
    });
    expect(protectedHeader).toEqual({ alg: "RS256", typ: "JWT", kid: issuer.keys().signing });
    expect(payload).toMatchObject({
      sub: "demo-client@clients",
      client_id: "demo-client",
      scope: "read:public read:secret read:messages write:messages",
    });
    expect(payload.exp! - payload.iat!).toBe(86400);
    expect(payload.nbf).toBeUndefined();
  });

  it("overrides every claim, deletes claims set to undefined, and adds header fields", async () => {
    const token = await issuer.signToken({
      clientId: "limited-client",
      audience: ["https://a.example", "https://b.example"],
      issuer: "https://elsewhere.example/",
      subject: "someone",
      issuedAt: 1_000,
      notBefore: 900,
      expiresInSeconds: 60,
      claims: { jti: undefined, scope: undefined, custom: { nested: true } },
      header: { typ: "at+jwt", x5t: "abc" },
    });
    expect(decodeJwt(token)).toEqual({
      iss: "https://elsewhere.example/",
      sub: "someone",
      aud: ["https://a.example", "https://b.example"],
      iat: 1_000,
      nbf: 900,
      exp: 1_060,
      client_id: "limited-client",
      custom: { nested: true },
    });
    expect(decodeProtectedHeader(token)).toEqual({
      alg: "RS256",
      typ: "at+jwt",
      kid: issuer.keys().signing,
      x5t: "abc",
    });
  });

  it("uses the limited client's scopes when minting for it", async () => {
    expect(decodeJwt(await issuer.signToken({ clientId: "limited-client" })).scope).toBe(
      "read:public",
    );
  });

  it("mints already-expired tokens that jose rejects", async () => {
    const token = await issuer.signToken({ expiresInSeconds: -60 });
    await expect(jwtVerify(token, await localKeySet())).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it("signs with a published non-signing key when its kid is given", async () => {
    const extra = await issuer.addKey();
    const token = await issuer.signToken({ kid: extra });
    expect(decodeProtectedHeader(token).kid).toBe(extra);
    await jwtVerify(token, await localKeySet());
  });

  it("writes an unknown kid into the header so verifiers can be tested against it", async () => {
    const token = await issuer.signToken({ kid: "unknown-kid" });
    expect(decodeProtectedHeader(token).kid).toBe("unknown-kid");
    await expect(jwtVerify(token, await localKeySet())).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    );
  });

  it("exposes key pairs so tests can sign crafted tokens", async () => {
    const pair = issuer.keyPair();
    expect(pair.kid).toBe(issuer.keys().signing);
    expect(pair.publicJwk).toMatchObject({ kid: pair.kid, kty: "RSA", alg: "RS256", use: "sig" });
    expect(pair.publicJwk).not.toHaveProperty("d");
    const crafted = await new SignJWT({ sub: "crafted" })
      .setProtectedHeader({ alg: "RS256", kid: pair.kid })
      .sign(pair.privateKey);
    const { payload } = await jwtVerify(crafted, await importJWK(pair.publicJwk, "RS256"));
    expect(payload.sub).toBe("crafted");
    expect(() => issuer.keyPair("nope")).toThrow(/no published key/);
  });
});

describe("fault switches and counters", () => {
  it("fails the next token requests with 503 and Retry-After, then recovers", async () => {
    issuer.failTokenRequests({ status: 503, count: 2, retryAfterSeconds: 7 });
    for (let i = 0; i < 2; i += 1) {
      const res = await postJson(issuer.tokenUrl, DEMO_PARAMS);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("7");
      expect(await res.json()).toMatchObject({ error: "temporarily_unavailable" });
    }
    expect((await postJson(issuer.tokenUrl, DEMO_PARAMS)).status).toBe(200);
  });

  it('answers 429 with "slow_down" and no Retry-After when none is given', async () => {
    issuer.failTokenRequests({ status: 429, count: 1 });
    const res = await postJson(issuer.tokenUrl, DEMO_PARAMS);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeNull();
    expect(await res.json()).toMatchObject({ error: "slow_down" });
  });

  it("clears injected failures with count 0 and rejects nonsense", async () => {
    issuer.failTokenRequests({ status: 500, count: 5 });
    issuer.failTokenRequests({ status: 500, count: 0 });
    expect((await postJson(issuer.tokenUrl, DEMO_PARAMS)).status).toBe(200);
    expect(() => issuer.failTokenRequests({ status: 200, count: 1 })).toThrow(RangeError);
    expect(() => issuer.failTokenRequests({ status: 503, count: -1 })).toThrow(RangeError);
  });

  it("issues tokens with the lifetime set by setTokenLifetime", async () => {
    issuer.setTokenLifetime(5);
    const res = await postJson(issuer.tokenUrl, DEMO_PARAMS);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    expect(body.expires_in).toBe(5);
    const claims = decodeJwt(body.access_token);
    expect(claims.exp! - claims.iat!).toBe(5);
    expect(() => issuer.setTokenLifetime(1.5)).toThrow(RangeError);
  });

  it("honours tokenLifetimeSeconds at start", async () => {
    const shortLived = await startLocalIssuer({ tokenLifetimeSeconds: 120 });
    const res = await postJson(shortLived.tokenUrl, DEMO_PARAMS);
    expect(((await res.json()) as { expires_in: number }).expires_in).toBe(120);
    await shortLived.close();
  });

  it("counts requests per endpoint, including failed ones, until reset", async () => {
    await fetch(issuer.jwksUri);
    await fetch(issuer.jwksUri, { method: "DELETE" });
    await fetch(`${issuer.url}/.well-known/openid-configuration`);
    await postJson(issuer.tokenUrl, DEMO_PARAMS);
    await postJson(issuer.tokenUrl, "{bad");
    await fetch(`${issuer.url}/elsewhere`);
    expect(issuer.requestCounts()).toEqual({ jwks: 2, token: 2, openidConfiguration: 1 });
    issuer.resetRequestCounts();
    expect(issuer.requestCounts()).toEqual({ jwks: 0, token: 0, openidConfiguration: 0 });
  });
});

describe("routing", () => {
  it("answers 404 JSON for unknown paths, including the outdated AuthAction token paths", async () => {
    for (const path of ["/nope", "/oauth/token", "/oauth/m2m/token", "/__admin/counts"]) {
      const res = await fetch(`${issuer.url}${path}`, { method: "POST" });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found" });
    }
  });

  it("answers 405 with Allow for a GET on the token endpoint", async () => {
    const res = await fetch(issuer.tokenUrl);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});
