import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigurationError } from "@repo/env";
import { afterAll, describe, expect, it } from "vitest";
import { clientPrivateKeyFromEnv } from "../src/client-private-key-env.ts";

const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const PRIVATE_JWK = { ...ec.privateKey.export({ format: "jwk" }), kid: "k1", alg: "ES256" };
const PUBLIC_JWK = { ...ec.publicKey.export({ format: "jwk" }), kid: "k1", alg: "ES256" };
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const RSA_PEM = rsa.privateKey.export({ format: "pem", type: "pkcs8" }) as string;
const dir = mkdtempSync(join(tmpdir(), "client-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(env: Record<string, string | undefined>): ConfigurationError {
  try {
    clientPrivateKeyFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    // Never the key, whichever part of it.
    expect(message).not.toContain(PRIVATE_JWK.d as string);
    expect(message).not.toContain("MII");
    expect(message).not.toContain("\n");
    return error as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError");
}

describe("clientPrivateKeyFromEnv", () => {
  it("reads a private JWK with its kid and alg from AUTHACTION_CLIENT_PRIVATE_KEY", () => {
    const key = clientPrivateKeyFromEnv({
      AUTHACTION_CLIENT_PRIVATE_KEY: JSON.stringify(PRIVATE_JWK),
    });
    expect(key).toMatchObject({ algorithm: "ES256", keyId: "k1" });
    expect(key.key.type).toBe("private");
  });

  it("reads a PEM key from AUTHACTION_CLIENT_PRIVATE_KEY_FILE, kid from AUTHACTION_CLIENT_KEY_ID", () => {
    const file = join(dir, "rsa.pem");
    writeFileSync(file, RSA_PEM);
    const key = clientPrivateKeyFromEnv({
      AUTHACTION_CLIENT_PRIVATE_KEY_FILE: file,
      AUTHACTION_CLIENT_KEY_ID: "rsa-1",
    });
    expect(key).toMatchObject({ algorithm: "RS256", keyId: "rsa-1" });
  });

  it("needs one of the two variables, and refuses both", () => {
    expect(refusal({}).message).toMatch(
      /^AUTHACTION_CLIENT_PRIVATE_KEY: is required with AUTHACTION_CLIENT_AUTH_METHOD=private_key_jwt/,
    );
    const both = refusal({
      AUTHACTION_CLIENT_PRIVATE_KEY: JSON.stringify(PRIVATE_JWK),
      AUTHACTION_CLIENT_PRIVATE_KEY_FILE: join(dir, "x.pem"),
    });
    expect(both.variable).toBe("AUTHACTION_CLIENT_PRIVATE_KEY_FILE");
    expect(both.message).toMatch(/set one of the two/);
  });

  it.each([
    ["a public JWK", JSON.stringify(PUBLIC_JWK), /without its private part/],
    ["text that is no key", "hunter2", /neither a private JWK \(JSON\) nor a PEM/],
    ["broken JSON", `${JSON.stringify(PRIVATE_JWK).slice(0, 40)}`, /not valid JSON/],
    [
      "a JWK whose alg does not fit",
      JSON.stringify({ ...PRIVATE_JWK, alg: "RS256" }),
      /alg that does not fit the key/,
    ],
    [
      "a public PEM",
      ec.publicKey.export({ format: "pem", type: "spki" }) as string,
      /public key or certificate/,
    ],
    [
      "an RSA key under 2048 bits",
      generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
        format: "pem",
        type: "pkcs8",
      }) as string,
      /2048 bits or more/,
    ],
  ])("refuses %s naming AUTHACTION_CLIENT_PRIVATE_KEY, never quoting it", (_, value, reason) => {
    const error = refusal({ AUTHACTION_CLIENT_PRIVATE_KEY: value });
    expect(error.variable).toBe("AUTHACTION_CLIENT_PRIVATE_KEY");
    expect(error.message).toMatch(reason);
  });

  it("refuses a JWK whose kid differs from AUTHACTION_CLIENT_KEY_ID", () => {
    const error = refusal({
      AUTHACTION_CLIENT_PRIVATE_KEY: JSON.stringify(PRIVATE_JWK),
      AUTHACTION_CLIENT_KEY_ID: "other",
    });
    expect(error.message).toMatch(/kid that differs/);
  });

  it("names the file variable for a missing file, a directory or a file too large", () => {
    expect(refusal({ AUTHACTION_CLIENT_PRIVATE_KEY_FILE: join(dir, "missing.pem") }).message).toBe(
      "AUTHACTION_CLIENT_PRIVATE_KEY_FILE: cannot be read (ENOENT)",
    );
    expect(refusal({ AUTHACTION_CLIENT_PRIVATE_KEY_FILE: dir }).message).toBe(
      "AUTHACTION_CLIENT_PRIVATE_KEY_FILE: is not a regular file",
    );
    const big = join(dir, "big.pem");
    writeFileSync(big, "x".repeat(70_000));
    expect(refusal({ AUTHACTION_CLIENT_PRIVATE_KEY_FILE: big }).message).toMatch(/is over 65536/);
    const garbage = join(dir, "garbage.pem");
    writeFileSync(garbage, "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n");
    expect(refusal({ AUTHACTION_CLIENT_PRIVATE_KEY_FILE: garbage }).message).toBe(
      "AUTHACTION_CLIENT_PRIVATE_KEY_FILE: is not a readable PEM private key",
    );
  });
});
