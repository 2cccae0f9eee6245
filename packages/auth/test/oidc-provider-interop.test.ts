import { type ReadyProcess, spawnApi } from "@repo/process";
import {
  createTRPCUntypedClient,
  httpBatchLink,
  splitLink,
  type TRPCClientError,
} from "@trpc/client";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientCredentialsOptions,
  createClientCredentialsTokenSource,
  createDpopFetch,
  createDpopSigner,
  generateClientKeyPair,
  type TokenSource,
} from "../src/client.ts";
import { bearerAuthHeaders, bearerAuthLink } from "../src/trpc-link.ts";
import { bearerSubscriptionLink } from "../src/trpc-subscription-link.ts";
import { type RunningOidcProvider, startOidcProvider } from "./support/oidc-provider.ts";
import { privateKeyJwtOptions } from "./support/private-key-jwt-options.ts";

// Interoperability: the token source against node-oidc-provider, an authorization server written
// elsewhere (panva), for DPoP-bound client-credentials tokens with private_key_jwt.

const AUDIENCE = "https://api.example.com";
/** What the api's postMessage and onMessage need. */
const MESSAGE_SCOPES = "read:messages write:messages";
let provider: RunningOidcProvider;
let nonceProvider: RunningOidcProvider;
let keyOptions: (target: RunningOidcProvider) => ClientCredentialsOptions;

beforeAll(async () => {
  const { privateJwk, publicJwk } = await generateClientKeyPair("ES256");
  const clients = [
    { clientId: "interop-key", publicJwk },
    { clientId: "interop-secret", secret: "interop-secret-value" },
  ];
  provider = await startOidcProvider({ clients, audience: AUDIENCE, scope: MESSAGE_SCOPES });
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

describe("node-oidc-provider's bound token at the real api in AUTHACTION_DPOP=required mode", () => {
  let api: ReadyProcess<{ url: string }> | undefined;
  beforeAll(async () => {
    // The api trusts node-oidc-provider alone; nonces on, so the client meets their challenge too.
    api = await spawnApi({
      AUTHACTION_ISSUER: provider.issuer,
      AUTHACTION_JWKS_URI: provider.jwksUri,
      AUTHACTION_AUDIENCE: AUDIENCE,
      AUTHACTION_DPOP: "required",
      AUTHACTION_DPOP_NONCE: "true",
    });
  }, 30_000);
  afterAll(async () => {
    await api?.stop();
  });

  /** The tRPC client as apps/client builds it, untyped: this package cannot import the router. */
  function apiClient(tokenSource: TokenSource, fetch: typeof globalThis.fetch) {
    const url = `${api!.ready.url}/trpc`;
    return createTRPCUntypedClient({
      links: [
        bearerAuthLink({ tokenSource }),
        splitLink({
          condition: (op) => op.type === "subscription",
          true: bearerSubscriptionLink({ url, tokenSource, fetch }),
          false: httpBatchLink({ url, headers: bearerAuthHeaders, fetch }),
        }),
      ],
    });
  }

  it("serves a query, a mutation and a subscription to the private_key_jwt client with DPoP proofs", async () => {
    const dpop = await createDpopSigner();
    let tokenRequests = 0;
    const tokenSource = createClientCredentialsTokenSource({
      ...keyOptions(provider),
      scope: MESSAGE_SCOPES,
      dpop,
      fetch: (input, init) => {
        tokenRequests += 1;
        return globalThis.fetch(input, init);
      },
    });
    expect((await tokenSource.getTokenInfo()).tokenType).toBe("DPoP");
    const client = apiClient(tokenSource, createDpopFetch({ signer: dpop }));

    expect(await client.query("protected", undefined)).toMatchObject({ sub: "interop-key" });
    const posted = await client.mutation("postMessage", { text: "interop" });
    expect(posted).toMatchObject({ text: "interop", sub: "interop-key" });
    const event = await new Promise<unknown>((resolve, reject) => {
      const subscription = client.subscription("onMessage", undefined, {
        onStarted: () => {
          void client.mutation("postMessage", { text: "streamed" }).catch(reject);
        },
        onData: (data) => {
          subscription.unsubscribe();
          resolve(data);
        },
        onError: (error) => {
          subscription.unsubscribe();
          reject(error);
        },
      });
    });
    expect(event).toMatchObject({ data: { text: "streamed", sub: "interop-key" } });
    // Nonce challenges were answered with new proofs; the token stayed the same.
    expect(tokenRequests).toBe(1);
    expect(dpop.nonceFor(api!.ready.url)).toBeDefined();
  });

  it("refuses the same client's unbound Bearer token with 401", async () => {
    const tokenSource = createClientCredentialsTokenSource({
      ...keyOptions(provider),
      scope: MESSAGE_SCOPES,
    });
    expect((await tokenSource.getTokenInfo()).tokenType).toBe("Bearer");
    const client = apiClient(tokenSource, globalThis.fetch);
    const error = (await client.query("protected", undefined).catch((e: unknown) => e)) as
      | TRPCClientError<never>
      | undefined;
    expect(error?.data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401 });
  });
});
