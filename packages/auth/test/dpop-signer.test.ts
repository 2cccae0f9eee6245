import { createHash } from "node:crypto";
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  EmbeddedJWK,
  generateKeyPair,
  jwtVerify,
} from "jose";
import { describe, expect, it } from "vitest";
import { createDpopSigner } from "../src/client.ts";

describe("createDpopSigner", () => {
  it("signs a verifiable dpop+jwt proof with its public key in jwk, htu without query or fragment", async () => {
    const signer = await createDpopSigner();
    const proof = await signer.proofFor("POST", "https://as.example/token?x=1#frag");
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt" });
    expect(protectedHeader.alg).toBe("ES256");
    expect(Object.keys(protectedHeader.jwk ?? {}).sort()).toEqual(["crv", "kty", "x", "y"]);
    expect(payload).toMatchObject({ htm: "POST", htu: "https://as.example/token" });
    expect(Math.abs((payload.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
    expect(payload.ath).toBeUndefined();
    expect(payload.nonce).toBeUndefined();
    expect(await signer.thumbprint()).toBe(await calculateJwkThumbprint(protectedHeader.jwk!));
  });

  it("makes a new jti for every proof", async () => {
    const signer = await createDpopSigner();
    const jtis = new Set<unknown>();
    for (let i = 0; i < 5; i++)
      jtis.add(decodeJwt(await signer.proofFor("GET", "https://rs.example/")).jti);
    expect(jtis.size).toBe(5);
  });

  it("adds ath, the base64url SHA-256 of the access token, for a resource request", async () => {
    const signer = await createDpopSigner();
    const proof = await signer.proofFor("GET", "https://rs.example/protected", "the.access.token");
    const ath = createHash("sha256").update("the.access.token").digest("base64url");
    expect(decodeJwt(proof).ath).toBe(ath);
  });

  it("sends the nonce last remembered for the URL's origin, and only there", async () => {
    const signer = await createDpopSigner();
    signer.rememberNonce("https://as.example/token", new Headers({ "DPoP-Nonce": "n-1" }));
    signer.rememberNonce("https://as.example/other", new Headers({ "DPoP-Nonce": "n-2" }));
    expect(decodeJwt(await signer.proofFor("POST", "https://as.example/token")).nonce).toBe("n-2");
    expect(decodeJwt(await signer.proofFor("GET", "https://rs.example/")).nonce).toBeUndefined();
    expect(signer.nonceFor("https://as.example:443/x")).toBe("n-2");
  });

  it("ignores a response without DPoP-Nonce and a malformed nonce", async () => {
    const signer = await createDpopSigner();
    signer.rememberNonce("https://as.example/", new Headers({ "DPoP-Nonce": "good" }));
    signer.rememberNonce("https://as.example/", new Headers());
    signer.rememberNonce("https://as.example/", new Headers({ "DPoP-Nonce": 'with "quote"' }));
    signer.rememberNonce("https://as.example/", new Headers({ "DPoP-Nonce": "x".repeat(600) }));
    expect(signer.nonceFor("https://as.example/")).toBe("good");
  });

  it("uses a given key pair, and another algorithm", async () => {
    const keyPair = await generateKeyPair("PS256");
    const signer = await createDpopSigner({ keyPair });
    const proof = await signer.proofFor("POST", "https://as.example/token");
    expect(decodeProtectedHeader(proof).alg).toBe("PS256");
    const ed = await createDpopSigner({ algorithm: "Ed25519" });
    expect(decodeProtectedHeader(await ed.proofFor("GET", "https://rs.example/")).alg).toBe(
      "Ed25519",
    );
  });

  it("refuses a key pair that is not one", async () => {
    const { publicKey } = await generateKeyPair("ES256");
    await expect(
      createDpopSigner({ keyPair: { privateKey: publicKey, publicKey } }),
    ).rejects.toThrow(TypeError);
  });
});
