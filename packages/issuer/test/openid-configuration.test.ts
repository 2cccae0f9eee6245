import { afterAll, beforeAll, expect, it } from "vitest";
import { type LocalIssuer, startLocalIssuer } from "../src/index.ts";
import { CLIENT_ASSERTION_ALGORITHMS, DPOP_SIGNING_ALGORITHMS } from "../src/signing-algorithms.ts";

let issuer: LocalIssuer;

beforeAll(async () => {
  issuer = await startLocalIssuer({ issuer: "https://tenant.example.authaction.com/" });
});
afterAll(() => issuer.close());

it("describes the issuer, its endpoints, the client_credentials grant, private_key_jwt and DPoP", async () => {
  const res = await fetch(`${issuer.url}/.well-known/openid-configuration`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await res.json()).toEqual({
    issuer: "https://tenant.example.authaction.com/",
    jwks_uri: issuer.jwksUri,
    token_endpoint: issuer.tokenUrl,
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: [
      "client_secret_post",
      "client_secret_basic",
      "private_key_jwt",
    ],
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
    dpop_signing_alg_values_supported: DPOP_SIGNING_ALGORITHMS,
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["read:public", "read:secret", "read:messages", "write:messages"],
    claims_supported: ["iss", "sub", "aud", "exp", "iat", "jti", "scope", "client_id", "cnf"],
  });
});

it("advertises only asymmetric algorithms for private_key_jwt and DPoP: never none, never HMAC", async () => {
  const res = await fetch(`${issuer.url}/.well-known/openid-configuration`);
  const metadata = (await res.json()) as Record<string, unknown>;
  for (const field of [
    "token_endpoint_auth_signing_alg_values_supported",
    "dpop_signing_alg_values_supported",
  ]) {
    const algorithms = metadata[field] as string[];
    expect(algorithms).toEqual(expect.arrayContaining(["ES256", "PS256", "RS256", "EdDSA"]));
    for (const alg of algorithms)
      expect(alg).toMatch(/^(?:(?:ES|PS|RS)(?:256|384|512)|EdDSA|Ed25519)$/);
  }
});

it("lists endpoints under the listening URL and keeps an explicit issuer verbatim", () => {
  expect(issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(issuer.jwksUri).toBe(`${issuer.url}/.well-known/jwks.json`);
  expect(issuer.tokenUrl).toBe(`${issuer.url}/oauth2/m2m/token`);
  expect(issuer.issuer).toBe("https://tenant.example.authaction.com/");
});
