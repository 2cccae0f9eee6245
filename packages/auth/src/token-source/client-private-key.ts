import { createPrivateKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { EC_ALGORITHMS, RSA_ALGORITHMS } from "../asymmetric-algorithms.ts";

/**
 * A client's private key for private_key_jwt (RFC 7523 §2.2), ready to sign assertions. Made by
 * `parseClientPrivateKey`; printing it shows no key material (Node's KeyObject does not).
 */
export interface ClientPrivateKey {
  readonly key: KeyObject;
  /** The JWS `alg` of the assertions, e.g. `ES256`. */
  readonly algorithm: ClientAssertionAlgorithm;
  /** The `kid` header of the assertions, so the server picks the registered key; may be absent. */
  readonly keyId: string | undefined;
}

/** Algorithms a client key may sign assertions with (asymmetric only). */
export const CLIENT_ASSERTION_ALGORITHMS = [...EC_ALGORITHMS, "EdDSA", ...RSA_ALGORITHMS] as const;
export type ClientAssertionAlgorithm = (typeof CLIENT_ASSERTION_ALGORITHMS)[number];

const CURVE_ALGORITHM: Readonly<Record<string, ClientAssertionAlgorithm>> = {
  prime256v1: "ES256",
  secp384r1: "ES384",
  secp521r1: "ES512",
};
const MIN_RSA_BITS = 2048;

/** Options of `parseClientPrivateKey`. */
export interface ParseClientPrivateKeyOptions {
  /** The `kid` to send, for a PEM key (a JWK carries its own). Default: none. */
  readonly keyId?: string;
}

/**
 * Reads a client's private key: a private JWK (JSON; its `kid` and `alg` are used) or a PEM
 * private key (PKCS #8, or PKCS #1 / SEC 1), RSA of 2048 bits or more, EC P-256/384/521 or
 * Ed25519. Without `alg` the algorithm follows the key: RS256, ES256/384/512 by curve, EdDSA.
 *
 * @throws TypeError saying what is wrong, never quoting the key.
 */
export function parseClientPrivateKey(
  text: string,
  options: ParseClientPrivateKeyOptions = {},
): ClientPrivateKey {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return fromJwk(trimmed, options);
  if (trimmed.startsWith("-----BEGIN ")) return fromPem(trimmed, options);
  throw new TypeError("is neither a private JWK (JSON) nor a PEM private key");
}

function fromJwk(text: string, options: ParseClientPrivateKeyOptions): ClientPrivateKey {
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new TypeError("starts like a JWK but is not valid JSON");
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    throw new TypeError("is not a JWK object");
  }
  const members = jwk as Record<string, unknown>;
  if (typeof members.d !== "string") {
    throw new TypeError("is a JWK without its private part (d): a public key cannot sign");
  }
  if (members.kid !== undefined && typeof members.kid !== "string") {
    throw new TypeError("has a kid that is not a string");
  }
  if (members.kid !== undefined && options.keyId !== undefined && members.kid !== options.keyId) {
    throw new TypeError("has a kid that differs from the key id configured beside it");
  }
  if (members.alg !== undefined && typeof members.alg !== "string") {
    throw new TypeError("has an alg that is not a string");
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: members as JsonWebKey, format: "jwk" });
  } catch {
    throw new TypeError("is not a usable private JWK (RSA, EC or OKP)");
  }
  return described(key, members.alg, (members.kid as string | undefined) ?? options.keyId);
}

function fromPem(text: string, options: ParseClientPrivateKeyOptions): ClientPrivateKey {
  if (/^-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text)) {
    throw new TypeError("is an encrypted PEM key; decrypt it (no passphrase is read)");
  }
  if (/^-----BEGIN (RSA )?PUBLIC KEY-----|^-----BEGIN CERTIFICATE-----/.test(text)) {
    throw new TypeError("is a public key or certificate, not a private key");
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: "pem" });
  } catch {
    throw new TypeError("is not a readable PEM private key");
  }
  return described(key, undefined, options.keyId);
}

/** Checks the key's type and size and settles its algorithm. */
function described(key: KeyObject, alg: unknown, keyId: string | undefined): ClientPrivateKey {
  const allowed = algorithmsFor(key);
  if (allowed.length === 0) {
    throw new TypeError("is not an RSA (2048 bits or more), EC P-256/384/521 or Ed25519 key");
  }
  const algorithm =
    alg === undefined ? allowed[0]! : allowed.find((candidate) => candidate === alg);
  if (algorithm === undefined) {
    throw new TypeError(
      "has an alg that does not fit the key (RSA: RS256-512 or PS256-512, EC: ES256-512 by curve, Ed25519: EdDSA)",
    );
  }
  return { key, algorithm, keyId: keyId === "" ? undefined : keyId };
}

function algorithmsFor(key: KeyObject): readonly ClientAssertionAlgorithm[] {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
      return (details.modulusLength ?? 0) >= MIN_RSA_BITS ? RSA_ALGORITHMS : [];
    case "rsa-pss":
      return (details.modulusLength ?? 0) >= MIN_RSA_BITS
        ? RSA_ALGORITHMS.filter((alg) => alg.startsWith("PS"))
        : [];
    case "ec": {
      const algorithm = CURVE_ALGORITHM[details.namedCurve ?? ""];
      return algorithm === undefined ? [] : [algorithm];
    }
    case "ed25519":
      return ["EdDSA"];
    default:
      return [];
  }
}
