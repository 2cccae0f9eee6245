import type { JWK } from "jose";
import { z } from "zod";

/** The JWKS document as fetched: only its outline is trusted before each key is screened. */
export const jwksDocumentSchema = z.object({
  keys: z.array(z.record(z.string(), z.unknown())),
});

const MIN_RSA_BITS = 2048;

/** Why a published key was left out of the usable set (logged, never fatal). */
export interface IgnoredKey {
  readonly kid: string | undefined;
  readonly reason: string;
}

/**
 * Screen the keys of a JWKS before handing them to jose. jose's key selection would refuse most of
 * these at verification time; dropping them here keeps a bad key from ever shadowing a good one
 * and lets the refresh log say exactly which key was ignored and why (RFC 7517 §4.2-4.3 `use` and
 * `key_ops`; RFC 8725 §3.5 minimum key sizes; never a symmetric or private key in a public set).
 */
export function screenKeys(keys: readonly Record<string, unknown>[]): {
  usable: JWK[];
  ignored: IgnoredKey[];
} {
  const usable: JWK[] = [];
  const ignored: IgnoredKey[] = [];
  for (const key of keys) {
    const kid = typeof key.kid === "string" ? key.kid : undefined;
    const reason = unusableReason(key);
    if (reason === undefined) usable.push(key as JWK);
    else ignored.push({ kid, reason });
  }
  return { usable, ignored };
}

function unusableReason(key: Record<string, unknown>): string | undefined {
  const { kty, use, key_ops: keyOps, kid } = key;
  if (kid !== undefined && typeof kid !== "string") return "kid is not a string";
  if (kty !== "RSA" && kty !== "EC" && kty !== "OKP") return `key type ${String(kty)} not allowed`;
  if (use !== undefined && use !== "sig") return `use is ${String(use)}, not sig`;
  if (keyOps !== undefined && (!Array.isArray(keyOps) || !keyOps.includes("verify"))) {
    return "key_ops does not include verify";
  }
  if ("d" in key) return "private key material published";
  if (kty === "RSA") {
    if (typeof key.n !== "string" || typeof key.e !== "string") return "RSA key without n or e";
    const bits = rsaModulusBits(key.n);
    if (bits < MIN_RSA_BITS) return `RSA modulus of ${bits} bits is under ${MIN_RSA_BITS}`;
  }
  return undefined;
}

function rsaModulusBits(n: string): number {
  const bytes = Buffer.from(n, "base64url");
  let leading = 0;
  while (leading < bytes.length && bytes[leading] === 0) leading++;
  const first = bytes[leading];
  if (first === undefined) return 0;
  return (bytes.length - leading - 1) * 8 + (32 - Math.clz32(first));
}
