import { calculateJwkThumbprint, decodeJwt, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalIssuer, startLocalIssuer } from "../src/index.ts";
import { expectOAuthError } from "./oauth-error-answer.ts";
import {
  assertionParams,
  signAssertion,
  signProof,
  type TestKey,
  testKey,
  unsecuredJws,
} from "./signed-requests.ts";
import { basicAuthorization, DEMO_PARAMS, postForm, postJson } from "./token-requests.ts";

// private_key_jwt (RFC 7523 §2.2 and §3, RFC 7521 §4.2) at the real issuer's token endpoint: a
// client registered with a public JWK, real signed assertions, one test per rule; none is 5xx.

const CLIENT = "key-client";
let issuer: LocalIssuer;
let key: TestKey;

beforeAll(async () => {
  key = await testKey("ES256", "client-key-1");
  issuer = await startLocalIssuer({
    clients: [
      { clientId: "demo-client", clientSecret: "demo-secret", scopes: ["read:public"] },
      { clientId: CLIENT, publicJwk: key.publicJwk, scopes: ["read:messages"] },
    ],
  });
});
afterAll(() => issuer.close());

const assertion = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signAssertion(key, CLIENT, issuer.issuer, claims, header);

async function expectToken(res: Response, tokenType = "Bearer") {
  expect(res.status).toBe(200);
  const body = (await res.json()) as { access_token: string; token_type: string };
  expect(body.token_type).toBe(tokenType);
  const claims = decodeJwt(body.access_token);
  expect(claims).toMatchObject({ sub: `${CLIENT}@clients`, scope: "read:messages" });
  return claims;
}

async function expectInvalidClient(res: Response, description: RegExp) {
  await expectOAuthError(res, 401, "invalid_client", description);
  expect(res.headers.get("www-authenticate")).toBeNull();
}

describe("token endpoint: private_key_jwt accepted", () => {
  it("issues a token for an assertion with aud the issuer identifier, in a form body", async () => {
    await expectToken(await postForm(issuer.tokenUrl, assertionParams(await assertion())));
  });

  it("accepts aud the token endpoint URL, a JSON body and a matching client_id", async () => {
    const params = {
      ...assertionParams(await assertion({ aud: issuer.tokenUrl })),
      client_id: CLIENT,
    };
    await expectToken(await postJson(issuer.tokenUrl, params));
  });

  it("issues a DPoP-bound token for an assertion with a DPoP proof", async () => {
    const proofKey = await testKey("ES256");
    const res = await postForm(issuer.tokenUrl, assertionParams(await assertion()), {
      DPoP: await signProof(proofKey, issuer.tokenUrl),
    });
    const claims = await expectToken(res, "DPoP");
    expect(claims.cnf).toEqual({ jkt: await calculateJwkThumbprint(proofKey.publicJwk) });
  });

  it("keeps client_secret_post and client_secret_basic working for clients with a secret", async () => {
    const post = await postJson(issuer.tokenUrl, DEMO_PARAMS);
    expect(post.status).toBe(200);
    const basic = await postForm(
      issuer.tokenUrl,
      { grant_type: "client_credentials", audience: DEMO_PARAMS.audience },
      { Authorization: basicAuthorization("demo-client", "demo-secret") },
    );
    expect(basic.status).toBe(200);
  });
});

describe("token endpoint: private_key_jwt refused with 401 invalid_client", () => {
  const post = async (text: string, extra: Record<string, string> = {}) =>
    postForm(issuer.tokenUrl, { ...assertionParams(text), ...extra });

  it("refuses an iss other than the client id", async () => {
    await expectInvalidClient(await post(await assertion({ iss: "intruder" })), /iss must be/);
  });

  it("refuses a sub other than the client id", async () => {
    const res = await post(await assertion({ sub: "intruder" }), { client_id: CLIENT });
    await expectInvalidClient(res, /sub must be/);
  });

  it("refuses a client_id that differs from the assertion", async () => {
    const res = await post(await assertion(), { client_id: "demo-client" });
    await expectInvalidClient(res, /no key registered/);
  });

  it("refuses an aud that is not this issuer", async () => {
    for (const aud of ["https://elsewhere.example", `${issuer.url}/other`]) {
      await expectInvalidClient(await post(await assertion({ aud })), /aud must be/);
    }
  });

  it("refuses an aud list naming this issuer beside another audience", async () => {
    const res = await post(await assertion({ aud: [issuer.issuer, "https://elsewhere.example"] }));
    await expectInvalidClient(res, /this issuer alone/);
  });

  it("refuses an expired assertion", async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await post(await assertion({ iat: now - 120, exp: now - 60 }));
    await expectInvalidClient(res, /expired/);
  });

  it("refuses an assertion that lives too long", async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await post(await assertion({ exp: now + 3600 }));
    await expectInvalidClient(res, /more than 300 s ahead/);
  });

  it("refuses an assertion without exp or jti", async () => {
    await expectInvalidClient(await post(await assertion({ exp: undefined })), /exp/);
    await expectInvalidClient(await post(await assertion({ jti: undefined })), /jti/);
  });

  it("refuses a replayed assertion (same jti)", async () => {
    const once = await assertion();
    await expectToken(await post(once));
    await expectInvalidClient(await post(once), /jti was used before/);
  });

  it("refuses an assertion signed by another key, with the registered kid or another", async () => {
    const other = await testKey("ES256", "client-key-1");
    for (const kid of ["client-key-1", "unknown-kid"]) {
      const forged = await signAssertion(other, CLIENT, issuer.issuer, {}, { kid });
      await expectInvalidClient(await post(forged), /not signed by the key registered/);
    }
  });

  it("refuses alg none and a symmetric alg", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: CLIENT, sub: CLIENT, aud: issuer.issuer, exp: now + 60, jti: "none" };
    await expectInvalidClient(
      await post(unsecuredJws({}, claims)),
      /alg must be an asymmetric algorithm/,
    );
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("a shared secret of at least 32 bytes!!"));
    await expectInvalidClient(await post(hs), /alg must be an asymmetric algorithm/);
  });

  it("refuses a client registered with a key that sends a secret instead (post or basic)", async () => {
    const res = await postJson(issuer.tokenUrl, {
      ...DEMO_PARAMS,
      client_id: CLIENT,
      client_secret: "anything",
    });
    await expectInvalidClient(res, /unknown client or wrong secret/);
    const basic = await postForm(
      issuer.tokenUrl,
      { grant_type: "client_credentials", audience: DEMO_PARAMS.audience },
      { Authorization: basicAuthorization(CLIENT, "anything") },
    );
    await expectOAuthError(basic, 401, "invalid_client", /unknown client or wrong secret/);
  });

  it("refuses a client registered with a secret that sends an assertion", async () => {
    const forged = await signAssertion(key, "demo-client", issuer.issuer);
    await expectInvalidClient(await post(forged), /no key registered/);
  });

  it("refuses an assertion that is not a JWT", async () => {
    await expectInvalidClient(await post("not-a-jwt"), /not a signed JWT/);
  });
});

describe("token endpoint: malformed private_key_jwt requests are 400 invalid_request", () => {
  it("refuses an assertion together with a secret or Basic credentials", async () => {
    const withSecret = await postForm(issuer.tokenUrl, {
      ...assertionParams(await assertion()),
      client_secret: "demo-secret",
    });
    await expectOAuthError(withSecret, 400, "invalid_request", /one client authentication/);
    const withBasic = await postForm(issuer.tokenUrl, assertionParams(await assertion()), {
      Authorization: basicAuthorization("demo-client", "demo-secret"),
    });
    await expectOAuthError(withBasic, 400, "invalid_request", /one client authentication/);
  });

  it("refuses another client_assertion_type, or a type without assertion", async () => {
    const wrongType = await postForm(issuer.tokenUrl, {
      ...assertionParams(await assertion()),
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
    });
    await expectOAuthError(wrongType, 400, "invalid_request", /client_assertion_type must be/);
    const { client_assertion: _omitted, ...withoutAssertion } = assertionParams("x");
    const missing = await postForm(issuer.tokenUrl, withoutAssertion);
    await expectOAuthError(missing, 400, "invalid_request", /missing required parameter/);
  });
});

describe("token endpoint: the assertion replay cache is bounded", () => {
  it("refuses new assertions with 429 and Retry-After while every entry is live", async () => {
    const small = await startLocalIssuer({
      replayCacheMaxEntries: 1,
      clients: [{ clientId: CLIENT, publicJwk: key.publicJwk, scopes: [] }],
    });
    try {
      const post = async () =>
        postForm(small.tokenUrl, assertionParams(await signAssertion(key, CLIENT, small.issuer)));
      expect((await post()).status).toBe(200);
      const full = await post();
      await expectOAuthError(full, 429, "temporarily_unavailable", /client assertions/);
      expect(Number(full.headers.get("retry-after"))).toBeGreaterThanOrEqual(60);
    } finally {
      await small.close();
    }
  });
});
