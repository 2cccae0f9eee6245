import { generateKeyPairSync } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { parseClientPrivateKey } from "../src/client.ts";

const pem = (
  key: ReturnType<typeof generateKeyPairSync>["privateKey"],
  type: "pkcs8" | "pkcs1" | "sec1",
) => key.export({ format: "pem", type }) as string;

describe("parseClientPrivateKey", () => {
  it.each([
    [
      "an RSA PKCS #8 PEM",
      pem(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey, "pkcs8"),
      "RS256",
    ],
    [
      "an RSA PKCS #1 PEM",
      pem(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey, "pkcs1"),
      "RS256",
    ],
    [
      "an RSA-PSS PEM",
      pem(generateKeyPairSync("rsa-pss", { modulusLength: 2048 }).privateKey, "pkcs8"),
      "PS256",
    ],
    [
      "a P-256 SEC 1 PEM",
      pem(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey, "sec1"),
      "ES256",
    ],
    [
      "a P-384 PEM",
      pem(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey, "pkcs8"),
      "ES384",
    ],
    [
      "a P-521 PEM",
      pem(generateKeyPairSync("ec", { namedCurve: "P-521" }).privateKey, "pkcs8"),
      "ES512",
    ],
    ["an Ed25519 PEM", pem(generateKeyPairSync("ed25519").privateKey, "pkcs8"), "EdDSA"],
  ])("reads %s with the algorithm its key type implies", (_, text, algorithm) => {
    const key = parseClientPrivateKey(`\n${text}\n`, { keyId: "k" });
    expect(key).toMatchObject({ algorithm, keyId: "k" });
    expect(key.key.type).toBe("private");
  });

  it("takes alg and kid from a JWK, and PS256 for an RSA JWK that asks for it", () => {
    const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      format: "jwk",
    });
    expect(
      parseClientPrivateKey(JSON.stringify({ ...jwk, alg: "PS256", kid: "r1" })),
    ).toMatchObject({
      algorithm: "PS256",
      keyId: "r1",
    });
    expect(parseClientPrivateKey(JSON.stringify(jwk)).keyId).toBeUndefined();
  });

  it.each([
    [
      "an oct JWK",
      JSON.stringify({ kty: "oct", k: "c2VjcmV0c2VjcmV0", d: "x" }),
      /not a usable private JWK/,
    ],
    ["an X25519 key", pem(generateKeyPairSync("x25519").privateKey, "pkcs8"), /not an RSA/],
    ["a JWK array", "[]", /neither/],
    [
      "an encrypted PEM",
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE KEY-----",
      /encrypted/,
    ],
  ])("refuses %s with a TypeError", (_, text, reason) => {
    expect(() => parseClientPrivateKey(text)).toThrow(TypeError);
    expect(() => parseClientPrivateKey(text)).toThrow(reason);
  });

  it("shows no key material when printed", () => {
    const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
      format: "jwk",
    });
    const printed = inspect(parseClientPrivateKey(JSON.stringify(jwk)), { depth: 5 });
    expect(printed).not.toContain(String(jwk.d));
    expect(JSON.stringify(parseClientPrivateKey(JSON.stringify(jwk)))).not.toContain(String(jwk.d));
  });
});
