import {
  constants,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  sign,
} from "node:crypto";
import type { JWK } from "jose";

/**
 * Hand-made compact JWS tokens for the security suites. Everything is signed with node:crypto
 * directly rather than through jose, so that a test can build what a careful library refuses to
 * build: `alg: none`, HMAC with a public key as the secret, RSA keys under 2048 bits, unencoded
 * payloads, claims that are not JSON or not numbers.
 */

export const b64url = (data: string | Uint8Array): string =>
  Buffer.from(data).toString("base64url");

/** A header or payload segment: an object (JSON-encoded), raw JSON text, or a ready segment. */
export type Segment = Record<string, unknown> | unknown[] | { json: string } | { encoded: string };

function encodeSegment(segment: Segment): string {
  if (!Array.isArray(segment)) {
    const { encoded, json } = segment as { encoded?: unknown; json?: unknown };
    if (typeof encoded === "string") return encoded;
    if (typeof json === "string") return b64url(json);
  }
  return b64url(JSON.stringify(segment));
}

export type SigningAlg =
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "ES256"
  | "ES384"
  | "EdDSA"
  | "HS256"
  | "HS512";

/** The JWS signature of `input` (RFC 7518 §3), base64url-encoded. */
export function signature(alg: SigningAlg, key: KeyObject | Uint8Array, input: string): string {
  const data = Buffer.from(input, "ascii");
  if (alg.startsWith("HS")) {
    const secret = key instanceof Uint8Array ? key : key.export();
    return b64url(
      createHmac(`sha${alg.slice(2)}`, secret)
        .update(data)
        .digest(),
    );
  }
  if (key instanceof Uint8Array) throw new TypeError(`${alg} needs a private key`);
  const hash = `sha${alg.slice(2)}`;
  switch (alg.slice(0, 2)) {
    case "RS":
      return b64url(sign(hash, data, key));
    case "PS":
      return b64url(
        sign(hash, data, {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: Number(alg.slice(2)) / 8,
        }),
      );
    case "ES":
      return b64url(sign(hash, data, { key, dsaEncoding: "ieee-p1363" }));
    default:
      return b64url(sign(null, data, key));
  }
}

export interface CraftOptions {
  readonly header: Segment;
  readonly payload: Segment;
  /** Signing key; without it the signature segment is empty (an unsecured JWS, RFC 7519 §6). */
  readonly key?: KeyObject | Uint8Array;
  /** Algorithm to sign with. Default: the header's `alg`. */
  readonly signAs?: SigningAlg;
}

/** A compact JWS `header.payload.signature` built exactly as told. */
export function craftToken({ header, payload, key, signAs }: CraftOptions): string {
  const input = `${encodeSegment(header)}.${encodeSegment(payload)}`;
  if (key === undefined) return `${input}.`;
  const alg = signAs ?? ((header as { alg?: unknown }).alg as SigningAlg);
  return `${input}.${signature(alg, key, input)}`;
}

/**
 * What an attacker without a key sends: a token whose header names `kid` (any length, e.g. the
 * 5,900 characters that still fit under the token length limit) and whose signature is made up.
 * No key has that kid, so it is refused as unknown_key, with the kid in the refusal line.
 */
export function tokenWithUnknownKid(kid: string): string {
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid }));
  return `${header}.${b64url(JSON.stringify({ sub: "attacker" }))}.${b64url("not a signature")}`;
}

export interface TestKeyPair {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public JWK, with `kid`, as a JWKS would publish it. */
  readonly publicJwk: JWK & { kid: string };
}

export type KeyKind = "RSA" | "RSA-1024" | "EC-P256" | "Ed25519";

/** A fresh key pair of the given kind (an attacker's, or one a test JWKS server publishes). */
export function testKeyPair(kind: KeyKind, kid: string): TestKeyPair {
  const { privateKey, publicKey } =
    kind === "EC-P256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : kind === "Ed25519"
        ? generateKeyPairSync("ed25519")
        : generateKeyPairSync("rsa", { modulusLength: kind === "RSA-1024" ? 1024 : 2048 });
  return { kid, privateKey, publicJwk: { ...publicKey.export({ format: "jwk" }), kid } };
}

/** The PEM (SPKI) text of a public JWK: what an RS256 → HS256 confusion attack uses as secret. */
export function publicPem(jwk: JWK): string {
  return createPublicKey({ key: jwk as JsonWebKey, format: "jwk" })
    .export({ type: "spki", format: "pem" })
    .toString();
}
