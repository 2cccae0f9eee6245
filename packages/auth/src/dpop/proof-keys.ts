import { constants, createPublicKey, type JsonWebKey, type KeyObject, verify } from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
import { LRUCache } from "lru-cache";

/** A proof key, imported once: the key and its RFC 7638 SHA-256 thumbprint. */
export interface ProofKey {
  readonly key: KeyObject;
  readonly jkt: string;
}

interface AlgorithmSpec {
  /** The digest, or null for EdDSA (it hashes internally). */
  readonly hash: string | null;
  readonly kty: "EC" | "RSA" | "OKP";
  /** The curve a key must be on (EC, OKP). */
  readonly crv?: string;
  /** ECDSA signature length in bytes (r ‖ s, RFC 7518 §3.4). */
  readonly signatureBytes?: number;
  readonly pss?: true;
}

// RFC 7518 §3 and RFC 8037 §3.1 (with RFC 9864's Ed25519): which key each algorithm needs.
const SPECS: Readonly<Record<string, AlgorithmSpec>> = {
  ES256: { hash: "sha256", kty: "EC", crv: "P-256", signatureBytes: 64 },
  ES384: { hash: "sha384", kty: "EC", crv: "P-384", signatureBytes: 96 },
  ES512: { hash: "sha512", kty: "EC", crv: "P-521", signatureBytes: 132 },
  RS256: { hash: "sha256", kty: "RSA" },
  RS384: { hash: "sha384", kty: "RSA" },
  RS512: { hash: "sha512", kty: "RSA" },
  PS256: { hash: "sha256", kty: "RSA", pss: true },
  PS384: { hash: "sha384", kty: "RSA", pss: true },
  PS512: { hash: "sha512", kty: "RSA", pss: true },
  EdDSA: { hash: null, kty: "OKP", crv: "Ed25519" },
  Ed25519: { hash: null, kty: "OKP", crv: "Ed25519" },
};

/** RSA keys under this many bits are refused (RFC 7518 §3.3). */
const MIN_RSA_BITS = 2048;

/**
 * The public keys DPoP proofs carry in their `jwk` header, imported once per distinct key and
 * checked with Node's synchronous `crypto.verify`: a proof is verified on every request, and a
 * client signs all its proofs with one key. Bounded: a flood of distinct keys only costs their
 * imports.
 */
export class ProofKeys {
  readonly #cache: LRUCache<string, ProofKey>;

  constructor(maxKeys = 10_000) {
    this.#cache = new LRUCache({ max: maxKeys });
  }

  /**
   * The key of a public `jwk` for `alg`, or a string saying why it cannot verify such a proof:
   * another key type or curve than `alg` needs, RSA under 2048 bits, or not a valid key.
   */
  async resolve(jwk: Readonly<Record<string, unknown>>, alg: string): Promise<ProofKey | string> {
    const spec = SPECS[alg];
    if (spec === undefined) return `alg ${alg} is not supported`;
    if (jwk.kty !== spec.kty || (spec.crv !== undefined && jwk.crv !== spec.crv)) {
      return `jwk must be a ${spec.crv ?? spec.kty} key for ${alg}`;
    }
    const id = `${alg}:${JSON.stringify(jwk)}`;
    const known = this.#cache.get(id);
    if (known !== undefined) return known;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
    } catch {
      return "jwk is not a valid public key";
    }
    if (key.type !== "public") return "jwk must be a public key";
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (spec.kty === "RSA" && (bits === undefined || bits < MIN_RSA_BITS)) {
      return `jwk must be an RSA key of at least ${MIN_RSA_BITS} bits`;
    }
    let jkt: string;
    try {
      jkt = await calculateJwkThumbprint(jwk as JWK, "sha256");
    } catch {
      return "jwk is not a valid public key";
    }
    const resolved = { key, jkt };
    this.#cache.set(id, resolved);
    return resolved;
  }

  /** Whether `signature` is `alg`'s signature of `signingInput` by `key` (RFC 7515 §5.2). */
  verify(alg: string, key: KeyObject, signingInput: string, signature: Buffer): boolean {
    const spec = SPECS[alg];
    if (spec === undefined) return false;
    if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes) return false;
    const data = Buffer.from(signingInput, "ascii");
    try {
      if (spec.kty === "EC") {
        return verify(spec.hash, data, { key, dsaEncoding: "ieee-p1363" }, signature);
      }
      if (spec.pss === true) {
        const padding = constants.RSA_PKCS1_PSS_PADDING;
        const saltLength = constants.RSA_PSS_SALTLEN_DIGEST;
        return verify(spec.hash, data, { key, padding, saltLength }, signature);
      }
      return verify(spec.hash, data, key, signature);
    } catch {
      return false;
    }
  }
}
