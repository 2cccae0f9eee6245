import { createHash } from "node:crypto";
import { calculateJwkThumbprint, decodeJwt, EmbeddedJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import {
  createDpopKey,
  MAX_PROOF_AGE_MS,
  proofPool,
  proofPoolSize,
  proofSigner,
} from "../src/dpop-proofs.ts";

const HTU = "http://127.0.0.1:4000/protected";
const TOKEN = "header.payload.signature";

describe("proofSigner", () => {
  it("signs ES256 proofs (RFC 9449 §4.2) with the key's public JWK, whose thumbprint is the key's jkt", async () => {
    const key = await createDpopKey();
    const proof = proofSigner(key, "GET", HTU, TOKEN)(Date.UTC(2026, 11, 6, 12) + 999);
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt" });
    expect(protectedHeader.alg).toBe("ES256");
    expect(protectedHeader.jwk).not.toHaveProperty("d");
    expect(await calculateJwkThumbprint(protectedHeader.jwk ?? {})).toBe(key.jkt);
    expect(payload).toEqual({
      htm: "GET",
      htu: HTU,
      iat: Date.UTC(2026, 11, 6, 12) / 1000,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ath: createHash("sha256").update(TOKEN).digest("base64url"),
    });
  });

  it("gives every proof a jti of its own", async () => {
    const sign = proofSigner(await createDpopKey(), "GET", HTU, TOKEN);
    const jtis = new Set(Array.from({ length: 500 }, () => decodeJwt(sign()).jti));
    expect(jtis.size).toBe(500);
  });
});

describe("proofPoolSize", () => {
  it("holds half as many proofs again as the run should send, plus two per connection", () => {
    expect(proofPoolSize(10_000, 2, 50)).toBe(30_100);
    expect(proofPoolSize(1_234.5, 0.5, 1)).toBe(Math.ceil(1_234.5 * 0.5 * 1.5) + 2);
  });
});

describe("proofPool", () => {
  /** A signer that counts its calls and stamps each proof with its number and time. */
  function countingSigner() {
    const signed: number[] = [];
    const sign = (now = 0) => `proof ${signed.push(now)} at ${now}`;
    return { sign, signed };
  }

  it("signs its proofs up front, hands them out in order, then signs each further one on demand", () => {
    const { sign, signed } = countingSigner();
    const next = proofPool(sign, 3, () => 1_000);
    expect(signed).toHaveLength(3);
    expect([next(), next(), next()]).toEqual([
      "proof 1 at 1000",
      "proof 2 at 1000",
      "proof 3 at 1000",
    ]);
    expect(signed).toHaveLength(3);
    expect(next()).toBe("proof 4 at 1000");
    expect(signed).toHaveLength(4);
  });

  it("stops handing out its proofs once they are MAX_PROOF_AGE_MS old, signing fresh ones instead", () => {
    const { sign } = countingSigner();
    let now = 5_000;
    const next = proofPool(sign, 10, () => now);
    expect(next()).toBe("proof 1 at 5000");
    now += MAX_PROOF_AGE_MS - 1;
    expect(next()).toBe("proof 2 at 5000");
    now += 1;
    expect(next()).toBe(`proof 11 at ${5_000 + MAX_PROOF_AGE_MS}`);
  });

  it("keeps MAX_PROOF_AGE_MS inside the iat window of the api (60 s) and of express-oauth2-jwt-bearer (300 s)", () => {
    expect(MAX_PROOF_AGE_MS).toBeLessThan(60_000);
  });
});
