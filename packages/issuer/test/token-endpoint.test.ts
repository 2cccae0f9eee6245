import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalIssuer, startLocalIssuer } from "../src/index.ts";
import { expectOAuthError } from "./oauth-error-answer.ts";
import { basicAuthorization, DEMO_PARAMS, postForm, postJson } from "./token-requests.ts";

let issuer: LocalIssuer;

beforeAll(async () => {
  issuer = await startLocalIssuer({
    audiences: ["https://api.example.com", "https://other.example.com"],
    clients: [
      {
        clientId: "demo-client",
        clientSecret: "demo-secret",
        scopes: ["read:public", "read:secret"],
      },
      { clientId: "odd id:é", clientSecret: "s3cret with spaces:+&", scopes: [] },
    ],
  });
});
afterAll(() => issuer.close());

async function verify(token: string, audience = "https://api.example.com") {
  const jwks = (await (await fetch(issuer.jwksUri)).json()) as JSONWebKeySet;
  return jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: issuer.issuer,
    audience,
    algorithms: ["RS256"],
    requiredClaims: ["exp", "iat", "sub", "jti"],
  });
}

async function expectTokenResponse(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({
    access_token: expect.any(String),
    token_type: "Bearer",
    expires_in: 86400,
  });
  return body.access_token as string;
}

describe("token endpoint: successful client_credentials grants", () => {
  it("issues a token for a JSON body with AuthAction's claims, verifiable against the JWKS", async () => {
    const token = await expectTokenResponse(await postJson(issuer.tokenUrl, DEMO_PARAMS));
    const { payload, protectedHeader } = await verify(token);

    expect(protectedHeader).toEqual({ alg: "RS256", typ: "JWT", kid: issuer.keys().signing });
    expect(payload).toMatchObject({
      iss: issuer.issuer,
      aud: "https://api.example.com",
      sub: "demo-client@clients",
      scope: "read:public read:secret",
      client_id: "demo-client",
    });
    expect(payload.exp! - payload.iat!).toBe(86400);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("issues a token for a form-urlencoded body", async () => {
    const token = await expectTokenResponse(await postForm(issuer.tokenUrl, DEMO_PARAMS));
    expect((await verify(token)).payload.sub).toBe("demo-client@clients");
  });

  it("accepts the secret in HTTP Basic, decoding form-urlencoded id and secret (RFC 6749 §2.3.1)", async () => {
    const res = await postForm(
      issuer.tokenUrl,
      { grant_type: "client_credentials", audience: "https://other.example.com" },
      { Authorization: basicAuthorization("odd id:é", "s3cret with spaces:+&") },
    );
    const { payload } = await verify(await expectTokenResponse(res), "https://other.example.com");
    expect(payload).toMatchObject({ sub: "odd id:é@clients", client_id: "odd id:é", scope: "" });
  });

  it("accepts Basic together with a matching client_id in the body", async () => {
    const res = await postJson(
      issuer.tokenUrl,
      {
        grant_type: "client_credentials",
        client_id: "demo-client",
        audience: DEMO_PARAMS.audience,
      },
      { Authorization: basicAuthorization("demo-client", "demo-secret") },
    );
    await expectTokenResponse(res);
  });

  it("ignores unknown parameters and a charset on the content type", async () => {
    const res = await postJson(
      issuer.tokenUrl,
      { ...DEMO_PARAMS, extra: 1 },
      {
        "Content-Type": "application/json; charset=utf-8",
      },
    );
    await expectTokenResponse(res);
  });

  it("signs with the current signing key after a rotation", async () => {
    const before = issuer.keys().signing;
    const kid = await issuer.rotateKey();
    const token = await expectTokenResponse(await postJson(issuer.tokenUrl, DEMO_PARAMS));
    expect(kid).not.toBe(before);
    expect(decodeProtectedHeader(token).kid).toBe(kid);
    await verify(token);
  });
});

describe("token endpoint: RFC 6749 §5.2 errors", () => {
  const expectError = expectOAuthError;

  it("answers 401 invalid_client for a wrong secret", async () => {
    const res = await postJson(issuer.tokenUrl, { ...DEMO_PARAMS, client_secret: "nope" });
    await expectError(res, 401, "invalid_client");
    expect(res.headers.get("www-authenticate")).toBeNull();
  });

  it("answers 401 invalid_client for an unknown client", async () => {
    const res = await postForm(issuer.tokenUrl, { ...DEMO_PARAMS, client_id: "who" });
    await expectError(res, 401, "invalid_client");
  });

  it("answers 401 invalid_client with a Basic challenge when Basic credentials are wrong", async () => {
    const res = await postForm(
      issuer.tokenUrl,
      { grant_type: "client_credentials", audience: DEMO_PARAMS.audience },
      { Authorization: basicAuthorization("demo-client", "wrong") },
    );
    await expectError(res, 401, "invalid_client");
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="local-issuer"');
  });

  it("answers 401 invalid_client with a Basic challenge for a malformed Authorization header", async () => {
    const res = await postForm(
      issuer.tokenUrl,
      { grant_type: "client_credentials", audience: DEMO_PARAMS.audience },
      { Authorization: "Bearer abc" },
    );
    await expectError(res, 401, "invalid_client");
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
  });

  it("answers 401 invalid_client when no client authentication is included", async () => {
    const res = await postJson(issuer.tokenUrl, {
      grant_type: "client_credentials",
      audience: DEMO_PARAMS.audience,
    });
    await expectError(res, 401, "invalid_client", /required/);
  });

  it("answers 400 invalid_request when the secret is sent both in Basic and in the body", async () => {
    const res = await postJson(issuer.tokenUrl, DEMO_PARAMS, {
      Authorization: basicAuthorization("demo-client", "demo-secret"),
    });
    await expectError(res, 400, "invalid_request", /both/);
  });

  it("answers 400 unsupported_grant_type for a grant other than client_credentials", async () => {
    const res = await postJson(issuer.tokenUrl, { ...DEMO_PARAMS, grant_type: "password" });
    await expectError(res, 400, "unsupported_grant_type");
  });

  it("answers 400 invalid_request naming a missing parameter", async () => {
    const { audience: _audience, ...withoutAudience } = DEMO_PARAMS;
    await expectError(
      await postJson(issuer.tokenUrl, withoutAudience),
      400,
      "invalid_request",
      /missing required parameter audience/,
    );
    const { grant_type: _grant, ...withoutGrant } = DEMO_PARAMS;
    await expectError(
      await postForm(issuer.tokenUrl, withoutGrant),
      400,
      "invalid_request",
      /grant_type/,
    );
  });

  it("answers 400 invalid_request for a parameter that is not a string", async () => {
    const res = await postJson(issuer.tokenUrl, { ...DEMO_PARAMS, audience: ["a", "b"] });
    await expectError(res, 400, "invalid_request", /audience must be/);
  });

  it("answers 400 invalid_request for a repeated form parameter", async () => {
    const res = await fetch(issuer.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `${new URLSearchParams(DEMO_PARAMS)}&audience=https%3A%2F%2Fother.example.com`,
    });
    await expectError(res, 400, "invalid_request", /repeated/);
  });

  it("answers 400 invalid_request for malformed JSON and for a JSON array", async () => {
    await expectError(await postJson(issuer.tokenUrl, "{not json"), 400, "invalid_request", /JSON/);
    await expectError(await postJson(issuer.tokenUrl, "[]"), 400, "invalid_request", /object/);
  });

  it("answers 400 invalid_request for an unknown audience", async () => {
    const res = await postJson(issuer.tokenUrl, {
      ...DEMO_PARAMS,
      audience: "https://evil.example",
    });
    await expectError(res, 400, "invalid_request", /unknown audience/);
  });

  it("answers 400 invalid_request for an unsupported or missing content type", async () => {
    const res = await fetch(issuer.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify(DEMO_PARAMS),
    });
    await expectError(res, 400, "invalid_request", /Content-Type/);
    const bare = await fetch(issuer.tokenUrl, { method: "POST" });
    await expectError(bare, 400, "invalid_request", /Content-Type/);
  });

  it("answers 413 for a body over 16 KiB, declared by Content-Length", async () => {
    const res = await postJson(issuer.tokenUrl, { ...DEMO_PARAMS, padding: "x".repeat(17 * 1024) });
    await expectError(res, 413, "invalid_request", /16384/);
  });

  it("answers 413 for a chunked body that grows over 16 KiB", async () => {
    const chunks = (async function* () {
      for (let i = 0; i < 20; i += 1) yield new TextEncoder().encode("x".repeat(1024));
    })();
    const res = await fetch(issuer.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: ReadableStream.from(chunks),
      duplex: "half",
    } as RequestInit);
    await expectError(res, 413, "invalid_request");
  });

  it("keeps serving after bad requests", async () => {
    await expectTokenResponse(await postJson(issuer.tokenUrl, DEMO_PARAMS));
  });
});
