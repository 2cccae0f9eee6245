import type { IncomingMessage, ServerResponse } from "node:http";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, type JWK } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type ClientCredentialsOptions,
  createClientCredentialsTokenSource,
  createDpopSigner,
  generateClientKeyPair,
  parseClientPrivateKey,
} from "../src/client.ts";
import { authErrorOf } from "./support/auth-error-of.ts";
import { startLoopbackServer } from "./support/loopback-server.ts";
import { privateKeyJwtOptions } from "./support/private-key-jwt-options.ts";

// The token source asking for DPoP-bound tokens with private_key_jwt, against the real local
// issuer (real keys, real signed proofs and assertions checked by the issuer's rules).

const CLIENT = "key-client";
let issuer: LocalIssuer;
let nonceIssuer: LocalIssuer;
let privateJwk: JWK;

beforeAll(async () => {
  const pair = await generateClientKeyPair("ES256");
  privateJwk = pair.privateJwk;
  const clients = [
    { clientId: CLIENT, publicJwk: pair.publicJwk, scopes: ["read:messages"] },
    { clientId: "demo-client", clientSecret: "demo-secret", scopes: ["read:public"] },
  ];
  issuer = await startLocalIssuer({ clients });
  nonceIssuer = await startLocalIssuer({ clients, dpopNonce: true });
});
afterAll(async () => {
  await issuer.close();
  await nonceIssuer.close();
});
beforeEach(() => {
  issuer.resetRequestCounts();
  nonceIssuer.resetRequestCounts();
  issuer.failTokenRequests({ status: 503, count: 0 });
});

function keyOptions(
  target: LocalIssuer,
  overrides: Partial<ClientCredentialsOptions> = {},
): ClientCredentialsOptions {
  return {
    ...privateKeyJwtOptions(target, CLIENT, privateJwk, target.audience),
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...overrides,
  };
}

/** A fetch that records each request's headers and body, then sends it. */
function recordingFetch() {
  const sent: { headers: Headers; body: string }[] = [];
  const fetchRecording = async (input: string | URL, init?: RequestInit) => {
    sent.push({ headers: new Headers(init?.headers), body: String(init?.body) });
    return fetch(input, init);
  };
  return { sent, fetch: fetchRecording };
}

describe("token source: private_key_jwt and DPoP against the local issuer", () => {
  it("obtains a DPoP-bound token whose cnf.jkt is the thumbprint of its signer's key", async () => {
    const dpop = await createDpopSigner();
    const info = await createClientCredentialsTokenSource(
      keyOptions(issuer, { dpop }),
    ).getTokenInfo();
    expect(info.tokenType).toBe("DPoP");
    const claims = decodeJwt(info.accessToken);
    expect(claims).toMatchObject({
      sub: `${CLIENT}@clients`,
      cnf: { jkt: await dpop.thumbprint() },
    });
  });

  it("obtains a Bearer token with private_key_jwt alone, in a form body by default", async () => {
    const recorder = recordingFetch();
    const info = await createClientCredentialsTokenSource(
      keyOptions(issuer, { fetch: recorder.fetch }),
    ).getTokenInfo();
    expect(info.tokenType).toBe("Bearer");
    expect(decodeJwt(info.accessToken).cnf).toBeUndefined();
    const [request] = recorder.sent;
    expect(request?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(request?.headers.has("dpop")).toBe(false);
    const params = Object.fromEntries(new URLSearchParams(request?.body));
    expect(params).toMatchObject({
      grant_type: "client_credentials",
      client_id: CLIENT,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    });
    expect(params.client_secret).toBeUndefined();
    const assertion = decodeJwt(params.client_assertion ?? "");
    expect(assertion).toMatchObject({ iss: CLIENT, sub: CLIENT, aud: issuer.issuer });
    expect((assertion.exp ?? 0) - (assertion.iat ?? 0)).toBe(60);
    expect(decodeProtectedHeader(params.client_assertion ?? "")).toEqual({
      alg: "ES256",
      kid: privateJwk.kid,
    });
  });

  it("sends a fresh assertion and a fresh proof with every retry", async () => {
    issuer.failTokenRequests({ status: 503, count: 2 });
    const recorder = recordingFetch();
    const dpop = await createDpopSigner();
    const info = await createClientCredentialsTokenSource(
      keyOptions(issuer, { dpop, fetch: recorder.fetch }),
    ).getTokenInfo();
    expect(info.tokenType).toBe("DPoP");
    expect(recorder.sent).toHaveLength(3);
    const proofs = recorder.sent.map(({ headers }) => decodeJwt(headers.get("dpop") ?? ""));
    const assertions = recorder.sent.map(({ body }) =>
      decodeJwt(new URLSearchParams(body).get("client_assertion") ?? ""),
    );
    expect(new Set(proofs.map((proof) => proof.jti)).size).toBe(3);
    expect(new Set(assertions.map((assertion) => assertion.jti)).size).toBe(3);
    expect(proofs[0]).toMatchObject({ htm: "POST", htu: issuer.tokenUrl });
    expect(proofs[0]?.ath).toBeUndefined();
  });

  it("answers the issuer's use_dpop_nonce once with its nonce, and remembers it for the next request", async () => {
    const dpop = await createDpopSigner();
    const source = createClientCredentialsTokenSource(keyOptions(nonceIssuer, { dpop }));
    const first = await source.getTokenInfo();
    expect(first.tokenType).toBe("DPoP");
    expect(nonceIssuer.requestCounts().token).toBe(2);
    expect(dpop.nonceFor(nonceIssuer.tokenUrl)).toMatch(/^[\w-]{16,}$/);

    source.invalidate();
    await source.getTokenInfo();
    // The remembered nonce is sent at once: no second challenge.
    expect(nonceIssuer.requestCounts().token).toBe(3);
  });

  it("binds a token obtained with client_secret_basic", async () => {
    const dpop = await createDpopSigner();
    const recorder = recordingFetch();
    const info = await createClientCredentialsTokenSource({
      tokenUrl: issuer.tokenUrl,
      clientId: "demo-client",
      clientSecret: "demo-secret",
      clientAuthMethod: "client_secret_basic",
      audience: issuer.audience,
      dpop,
      fetch: recorder.fetch,
    }).getTokenInfo();
    expect(info.tokenType).toBe("DPoP");
    expect(recorder.sent[0]?.headers.get("authorization")).toMatch(/^Basic /);
    expect(new URLSearchParams(recorder.sent[0]?.body).has("client_secret")).toBe(false);
  });

  it("is refused as token_request_refused when the issuer does not know the key", async () => {
    const stranger = await generateClientKeyPair("ES256");
    const error = await authErrorOf(
      createClientCredentialsTokenSource(
        keyOptions(issuer, {
          clientPrivateKey: parseClientPrivateKey(JSON.stringify(stranger.privateJwk)),
        }),
      ).getToken(),
    );
    expect(error.code).toBe("token_request_refused");
    expect(error.oauthError).toBe("invalid_client");
    expect(error.message).not.toContain(String(stranger.privateJwk.d));
  });
});

describe("token source: what a token endpoint answers to DPoP requests", () => {
  /** Asks for a DPoP-bound token from a token endpoint answering with `handler`. */
  async function refusedBy(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    const server = await startLoopbackServer(handler);
    try {
      const error = await authErrorOf(
        createClientCredentialsTokenSource({
          ...keyOptions(issuer),
          tokenUrl: `${server.url}/token`,
          dpop: await createDpopSigner(),
        }).getToken(),
      );
      return { error, requests: server.requests };
    } finally {
      await server.close();
    }
  }

  it("refuses a Bearer answer to a DPoP request as invalid_token_response", async () => {
    const { error } = await refusedBy((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ access_token: "t", token_type: "Bearer", expires_in: 60 }));
    });
    expect(error.code).toBe("invalid_token_response");
    expect(error.message).toMatch(/token_type is "Bearer", expected "DPoP"/);
  });

  it("retries a nonce challenge only once, then reports the refusal", async () => {
    let nonce = 0;
    const seenNonces: (string | undefined)[] = [];
    const { error, requests } = await refusedBy((req, res) => {
      const proof = String(req.headers.dpop ?? "");
      seenNonces.push(decodeJwt(proof).nonce as string | undefined);
      nonce += 1;
      res.writeHead(400, { "content-type": "application/json", "dpop-nonce": `nonce-${nonce}` });
      res.end(JSON.stringify({ error: "use_dpop_nonce", error_description: "use the nonce" }));
    });
    expect(error.code).toBe("token_request_refused");
    expect(error.oauthError).toBe("use_dpop_nonce");
    expect(requests).toBe(2);
    expect(seenNonces).toEqual([undefined, "nonce-1"]);
  });

  it("does not retry a use_dpop_nonce answer that gives no nonce", async () => {
    const { error, requests } = await refusedBy((_req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "use_dpop_nonce" }));
    });
    expect(error.code).toBe("token_request_refused");
    expect(requests).toBe(1);
  });
});

describe("generateClientKeyPair", () => {
  it.each(["ES256", "PS256", "RS256", "EdDSA"] as const)(
    "makes a %s pair whose kid is the public key's thumbprint and whose private half parses",
    async (alg) => {
      const { privateJwk: priv, publicJwk } = await generateClientKeyPair(alg);
      expect(publicJwk).toMatchObject({
        alg,
        use: "sig",
        kid: await calculateJwkThumbprint(publicJwk),
      });
      expect(publicJwk.d).toBeUndefined();
      expect(priv).toMatchObject({ alg, kid: publicJwk.kid });
      expect(parseClientPrivateKey(JSON.stringify(priv))).toMatchObject({
        algorithm: alg,
        keyId: publicJwk.kid,
      });
    },
  );
});
