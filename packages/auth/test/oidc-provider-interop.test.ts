import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientCredentialsOptions,
  createClientCredentialsTokenSource,
  createDpopSigner,
  generateClientKeyPair,
} from "../src/client.ts";
import { type RunningOidcProvider, startOidcProvider } from "./support/oidc-provider.ts";
import { privateKeyJwtOptions } from "./support/private-key-jwt-options.ts";

// Interoperability: the token source against node-oidc-provider, an authorization server written
// elsewhere (panva), for DPoP-bound client-credentials tokens with private_key_jwt.

const AUDIENCE = "https://api.example.com";
let provider: RunningOidcProvider;
let nonceProvider: RunningOidcProvider;
let keyOptions: (target: RunningOidcProvider) => ClientCredentialsOptions;

beforeAll(async () => {
  const { privateJwk, publicJwk } = await generateClientKeyPair("ES256");
  const clients = [
    { clientId: "interop-key", publicJwk },
    { clientId: "interop-secret", secret: "interop-secret-value" },
  ];
  provider = await startOidcProvider({ clients, audience: AUDIENCE });
  nonceProvider = await startOidcProvider({ clients, audience: AUDIENCE, requireDpopNonce: true });
  keyOptions = (target) => privateKeyJwtOptions(target, "interop-key", privateJwk, AUDIENCE);
});
afterAll(async () => {
  await provider?.close();
  await nonceProvider?.close();
});

async function verified(target: RunningOidcProvider, token: string) {
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(target.jwksUri)), {
    issuer: target.issuer,
    audience: AUDIENCE,
  });
  return payload;
}

describe("interop with node-oidc-provider 9", () => {
  it("obtains a DPoP-bound client-credentials token with private_key_jwt", async () => {
    const dpop = await createDpopSigner();
    const info = await createClientCredentialsTokenSource({
      ...keyOptions(provider),
      dpop,
    }).getTokenInfo();
    expect(info.tokenType).toBe("DPoP");
    const claims = await verified(provider, info.accessToken);
    expect(claims).toMatchObject({
      client_id: "interop-key",
      cnf: { jkt: await dpop.thumbprint() },
    });
  });

  it("answers its use_dpop_nonce challenge once with the nonce it gave", async () => {
    let requests = 0;
    const dpop = await createDpopSigner();
    const info = await createClientCredentialsTokenSource({
      ...keyOptions(nonceProvider),
      dpop,
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    }).getTokenInfo();
    expect(requests).toBe(2);
    expect(dpop.nonceFor(nonceProvider.tokenUrl)).toBeDefined();
    expect((await verified(nonceProvider, info.accessToken)).cnf).toEqual({
      jkt: await dpop.thumbprint(),
    });
  });

  it("obtains a Bearer token with private_key_jwt alone", async () => {
    const info = await createClientCredentialsTokenSource(keyOptions(provider)).getTokenInfo();
    expect(info.tokenType).toBe("Bearer");
    expect((await verified(provider, info.accessToken)).cnf).toBeUndefined();
  });

  it("obtains a Bearer token with client_secret_basic, the old secret path", async () => {
    const info = await createClientCredentialsTokenSource({
      tokenUrl: provider.tokenUrl,
      clientId: "interop-secret",
      clientSecret: "interop-secret-value",
      clientAuthMethod: "client_secret_basic",
      audience: AUDIENCE,
    }).getTokenInfo();
    expect(info.tokenType).toBe("Bearer");
    expect((await verified(provider, info.accessToken)).client_id).toBe("interop-secret");
  });
});
