import { request } from "node:http";
import { DPOP_NONCE_WINDOW_MS } from "@repo/auth/server";
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeJwt,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  jwtVerify,
  SignJWT,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalIssuer, startLocalIssuer } from "../src/index.ts";
import { expectOAuthError } from "./oauth-error-answer.ts";
import { signProof, type TestKey, testKey, unsecuredJws } from "./signed-requests.ts";
import { basicAuthorization, DEMO_PARAMS, postForm, postJson } from "./token-requests.ts";

// RFC 9449 §4.3 and §5 at the real issuer's token endpoint: one test per rule, each answered with
// a 400 OAuth error (never 5xx), and a valid proof binding the token to its key.

let issuer: LocalIssuer;
let key: TestKey;

beforeAll(async () => {
  issuer = await startLocalIssuer();
  key = await testKey("ES256");
});
afterAll(() => issuer.close());

function postWithProof(proof: string | undefined, params: Record<string, string> = DEMO_PARAMS) {
  return postJson(issuer.tokenUrl, params, proof === undefined ? {} : { DPoP: proof });
}

async function expectBoundToken(res: Response, proofKey: TestKey = key) {
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({ access_token: expect.any(String), token_type: "DPoP", expires_in: 86400 });
  const jwks = (await (await fetch(issuer.jwksUri)).json()) as JSONWebKeySet;
  const { payload } = await jwtVerify(body.access_token as string, createLocalJWKSet(jwks), {
    issuer: issuer.issuer,
    audience: issuer.audience,
  });
  expect(payload.cnf).toEqual({ jkt: await calculateJwkThumbprint(proofKey.publicJwk) });
  return payload;
}

async function expectInvalidProof(res: Response, description: RegExp) {
  await expectOAuthError(res, 400, "invalid_dpop_proof", description);
}

describe("token endpoint: a valid DPoP proof binds the token (RFC 9449 §5, §6.1)", () => {
  it("answers token_type DPoP with cnf.jkt the RFC 7638 thumbprint of the proof's key", async () => {
    await expectBoundToken(await postWithProof(await signProof(key, issuer.tokenUrl)));
  });

  it("binds with each asymmetric key type: RSA (PS256, RS256) and Ed25519", async () => {
    for (const alg of ["PS256", "RS256", "EdDSA"]) {
      const other = await testKey(alg);
      await expectBoundToken(await postWithProof(await signProof(other, issuer.tokenUrl)), other);
    }
  });

  it("binds a token obtained with client_secret_basic and a form body too", async () => {
    const res = await postForm(
      issuer.tokenUrl,
      { grant_type: "client_credentials", audience: DEMO_PARAMS.audience },
      {
        Authorization: basicAuthorization("demo-client", "demo-secret"),
        DPoP: await signProof(key, issuer.tokenUrl),
      },
    );
    await expectBoundToken(res);
  });

  it("accepts an htu spelled differently but equal after RFC 3986 normalisation, query dropped", async () => {
    const { hostname, port } = new URL(issuer.url);
    const htu = `HTTP://${hostname}:${port}/%6Fauth2/m2m/./token?x=1#frag`;
    await expectBoundToken(await postWithProof(await signProof(key, htu)));
  });

  it("issues a Bearer token without cnf when there is no DPoP header", async () => {
    const res = await postWithProof(undefined);
    const body = (await res.json()) as { access_token: string; token_type: string };
    expect(body.token_type).toBe("Bearer");
    expect(decodeJwt(body.access_token).cnf).toBeUndefined();
  });
});

describe("token endpoint: DPoP proofs refused with 400 invalid_dpop_proof", () => {
  it("refuses two DPoP headers", async () => {
    const [first, second] = await Promise.all([
      signProof(key, issuer.tokenUrl),
      signProof(key, issuer.tokenUrl),
    ]);
    const { status, body } = await rawPost(issuer.tokenUrl, JSON.stringify(DEMO_PARAMS), [
      ["Content-Type", "application/json"],
      ["DPoP", first],
      ["DPoP", second],
    ]);
    expect(status).toBe(400);
    expect(JSON.parse(body)).toEqual({
      error: "invalid_dpop_proof",
      error_description: "Send exactly one DPoP header",
    });
    // fetch joins repeated headers with a comma: refused the same way.
    await expectInvalidProof(await postWithProof(`${first}, ${second}`), /exactly one/);
  });

  it("refuses an empty DPoP header", async () => {
    await expectInvalidProof(await postWithProof(" "), /empty/);
  });

  it("refuses a DPoP header that is not a JWS", async () => {
    await expectInvalidProof(await postWithProof("not-a-jws"), /not a JWS/);
  });

  it("refuses a typ other than dpop+jwt", async () => {
    for (const typ of ["JWT", "at+jwt", undefined]) {
      const proof = await signProof(key, issuer.tokenUrl, {}, { typ });
      await expectInvalidProof(await postWithProof(proof), /typ must be dpop\+jwt/);
    }
  });

  it("refuses alg none", async () => {
    const { kid: _kid, alg: _alg, ...jwk } = key.publicJwk;
    const proof = unsecuredJws(
      { typ: "dpop+jwt", jwk },
      { htm: "POST", htu: issuer.tokenUrl, iat: Math.floor(Date.now() / 1000), jti: "n" },
    );
    await expectInvalidProof(await postWithProof(proof), /alg must be one of/);
  });

  it("refuses a symmetric alg (HS256) even with a matching oct key in jwk", async () => {
    const secret = new TextEncoder().encode("a shared secret of at least 32 bytes!!");
    const proof = await new SignJWT({
      htm: "POST",
      htu: issuer.tokenUrl,
      iat: Math.floor(Date.now() / 1000),
      jti: "hs",
    })
      // jose's types keep private members out of a header jwk; this test puts one there.
      .setProtectedHeader({
        typ: "dpop+jwt",
        alg: "HS256",
        jwk: { kty: "oct", k: Buffer.from(secret).toString("base64url") },
      } as JWTHeaderParameters)
      .sign(secret);
    await expectInvalidProof(await postWithProof(proof), /alg must be one of/);
  });

  it("refuses a jwk that carries the private key", async () => {
    const proof = await signProof(key, issuer.tokenUrl, {}, { jwk: key.privateJwk });
    await expectInvalidProof(await postWithProof(proof), /must be a public key/);
  });

  it("refuses an oct (symmetric) key in jwk", async () => {
    const proof = await signProof(key, issuer.tokenUrl, {}, { jwk: { kty: "oct", k: "c2VjcmV0" } });
    await expectInvalidProof(await postWithProof(proof), /asymmetric key/);
  });

  it("refuses a proof without jwk", async () => {
    const proof = await signProof(key, issuer.tokenUrl, {}, { jwk: undefined });
    await expectInvalidProof(await postWithProof(proof), /public key in the jwk header/);
  });

  it("refuses a signature by another key than the one in jwk", async () => {
    const other = await testKey("ES256");
    const { kid: _kid, alg: _alg, ...otherJwk } = other.publicJwk;
    const proof = await signProof(key, issuer.tokenUrl, {}, { jwk: otherJwk });
    await expectInvalidProof(await postWithProof(proof), /signature does not verify/);
  });

  it("refuses an alg that does not fit the key in jwk (ES384 with a P-256 key)", async () => {
    const { kid: _kid, alg: _alg, ...jwk } = key.publicJwk;
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const input = `${part({ typ: "dpop+jwt", alg: "ES384", jwk })}.${part({
      htm: "POST",
      htu: issuer.tokenUrl,
      iat: Math.floor(Date.now() / 1000),
      jti: "mismatch",
    })}`;
    const signature = await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-384" },
      key.privateKey,
      new TextEncoder().encode(input),
    );
    const proof = `${input}.${Buffer.from(signature).toString("base64url")}`;
    await expectInvalidProof(await postWithProof(proof), /must be a P-384 key for ES384/);
  });

  it("refuses a wrong htm", async () => {
    const proof = await signProof(key, issuer.tokenUrl, { htm: "GET" });
    await expectInvalidProof(await postWithProof(proof), /htm must be POST/);
  });

  it("refuses an htu with another path", async () => {
    const proof = await signProof(key, `${issuer.url}/oauth2/token`);
    await expectInvalidProof(await postWithProof(proof), /htu must be/);
  });

  it("refuses an htu with another host, scheme or port", async () => {
    const { port } = new URL(issuer.url);
    for (const htu of [
      "https://evil.example/oauth2/m2m/token",
      `https://127.0.0.1:${port}/oauth2/m2m/token`,
      `http://127.0.0.1:${Number(port) + 1}/oauth2/m2m/token`,
      "not a url",
    ]) {
      const proof = await signProof(key, htu);
      await expectInvalidProof(await postWithProof(proof), /htu must be/);
    }
  });

  it("refuses a replayed proof (same jti)", async () => {
    const proof = await signProof(key, issuer.tokenUrl);
    await expectBoundToken(await postWithProof(proof));
    await expectInvalidProof(await postWithProof(proof), /jti was used before/);
  });

  it("refuses an iat far in the past or the future, or none", async () => {
    const now = Math.floor(Date.now() / 1000);
    const past = await signProof(key, issuer.tokenUrl, { iat: now - 61 });
    await expectInvalidProof(await postWithProof(past), /more than 60 s in the past/);
    const future = await signProof(key, issuer.tokenUrl, { iat: now + 60 });
    await expectInvalidProof(await postWithProof(future), /more than 30 s in the future/);
    const none = await signProof(key, issuer.tokenUrl, { iat: undefined });
    await expectInvalidProof(await postWithProof(none), /numeric iat/);
  });

  it("refuses a proof without jti", async () => {
    const proof = await signProof(key, issuer.tokenUrl, { jti: undefined });
    await expectInvalidProof(await postWithProof(proof), /jti must be a string/);
  });

  it("refuses ath at the token endpoint", async () => {
    const proof = await signProof(key, issuer.tokenUrl, { ath: "x".repeat(43) });
    await expectInvalidProof(await postWithProof(proof), /must not carry ath/);
  });

  it("checks the proof before the client: a bad proof with a wrong secret is invalid_dpop_proof", async () => {
    const proof = await signProof(key, issuer.tokenUrl, { htm: "PUT" });
    const res = await postWithProof(proof, { ...DEMO_PARAMS, client_secret: "wrong" });
    await expectInvalidProof(res, /htm/);
  });
});

describe("token endpoint: server nonces (ISSUER_DPOP_NONCE, RFC 9449 §8)", () => {
  let nonceIssuer: LocalIssuer;
  let now = Date.now();
  beforeAll(async () => {
    nonceIssuer = await startLocalIssuer({ dpopNonce: true, clock: { now: () => now } });
  });
  afterAll(() => nonceIssuer.close());

  const iat = () => Math.floor(now / 1000);
  const post = (proof: string) => postJson(nonceIssuer.tokenUrl, DEMO_PARAMS, { DPoP: proof });

  it("challenges a proof without nonce with 400 use_dpop_nonce and a DPoP-Nonce, then binds the retry", async () => {
    const first = await post(await signProof(key, nonceIssuer.tokenUrl, { iat: iat() }));
    await expectOAuthError(first, 400, "use_dpop_nonce", /nonce is required/);
    const nonce = first.headers.get("dpop-nonce");
    expect(nonce).toMatch(/^[\w-]{16,}$/);

    const retry = await post(await signProof(key, nonceIssuer.tokenUrl, { iat: iat(), nonce }));
    expect(retry.status).toBe(200);
    expect(retry.headers.get("dpop-nonce")).toBe(nonce);
    expect(((await retry.json()) as { token_type: string }).token_type).toBe("DPoP");
  });

  it("challenges a nonce it never issued", async () => {
    const res = await post(
      await signProof(key, nonceIssuer.tokenUrl, { iat: iat(), nonce: "made-up-nonce-value" }),
    );
    await expectOAuthError(res, 400, "use_dpop_nonce", /stale/);
    expect(res.headers.get("dpop-nonce")).toMatch(/^[\w-]{16,}$/);
  });

  it("accepts the previous window's nonce and challenges an older one with the current", async () => {
    const first = await post(await signProof(key, nonceIssuer.tokenUrl, { iat: iat() }));
    const nonce = first.headers.get("dpop-nonce")!;
    await first.body?.cancel();

    now += DPOP_NONCE_WINDOW_MS;
    const next = await post(await signProof(key, nonceIssuer.tokenUrl, { iat: iat(), nonce }));
    expect(next.status).toBe(200);
    const rotated = next.headers.get("dpop-nonce");
    expect(rotated).not.toBe(nonce);
    await next.body?.cancel();

    now += DPOP_NONCE_WINDOW_MS;
    const stale = await post(await signProof(key, nonceIssuer.tokenUrl, { iat: iat(), nonce }));
    await expectOAuthError(stale, 400, "use_dpop_nonce", /stale/);
    expect(stale.headers.get("dpop-nonce")).not.toBe(nonce);
  });

  it("sends the current nonce on a Bearer answer and on errors too", async () => {
    const bearer = await postJson(nonceIssuer.tokenUrl, DEMO_PARAMS);
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get("dpop-nonce")).toMatch(/^[\w-]{16,}$/);
    const refused = await postJson(nonceIssuer.tokenUrl, { ...DEMO_PARAMS, client_secret: "x" });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("dpop-nonce")).toBe(bearer.headers.get("dpop-nonce"));
  });

  it("checks everything else first: an invalid proof is invalid_dpop_proof, not a challenge", async () => {
    const res = await post(await signProof(key, nonceIssuer.tokenUrl, { iat: iat(), htm: "GET" }));
    await expectInvalidProof(res, /htm/);
  });
});

describe("token endpoint: the DPoP replay cache is bounded", () => {
  it("refuses new proofs with 429 and Retry-After while every entry is live, then has room", async () => {
    let now = Date.now();
    const small = await startLocalIssuer({ replayCacheMaxEntries: 1, clock: { now: () => now } });
    try {
      const proof = (claims = {}) =>
        signProof(key, small.tokenUrl, { iat: Math.floor(now / 1000), ...claims });
      const post = async (dpop: string) => postJson(small.tokenUrl, DEMO_PARAMS, { DPoP: dpop });
      expect((await post(await proof())).status).toBe(200);
      const full = await post(await proof());
      await expectOAuthError(full, 429, "temporarily_unavailable", /too many recent DPoP proofs/);
      expect(Number(full.headers.get("retry-after"))).toBeGreaterThanOrEqual(60);

      now += 62_000;
      expect((await post(await proof())).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

/**
 * A POST through node:http, whose array form sends repeated header lines as they are (and adds
 * no Host, which HTTP/1.1 requires).
 */
function rawPost(
  url: string,
  body: string,
  headers: [string, string][],
): Promise<{ status: number; body: string }> {
  const all = [["Host", new URL(url).host], ...headers].flat();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: all }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
