import {
  type CryptoKey,
  calculateJwkThumbprint,
  createLocalJWKSet,
  type JWK,
  type JWSHeaderParameters,
} from "jose";
import type { IgnoredKey } from "./usable-keys.ts";

/** A key chosen for a token, with the RFC 7638 thumbprint naming exactly that key material. */
export interface ResolvedKey {
  readonly key: CryptoKey;
  readonly thumbprint: string;
}

interface PublishedKey {
  readonly kid: string | undefined;
  readonly thumbprint: string;
  /** jose's selection restricted to this one key: tells which key the full selection chose. */
  readonly select: ReturnType<typeof createLocalJWKSet>;
}

/** One fetched key set: jose's key selection plus the identity of every key in it. */
export interface KeySnapshot {
  readonly fetchedAt: number;
  /** Distinct `kid`s, in publication order. */
  readonly kids: readonly string[];
  /** RFC 7638 thumbprints of the usable keys: a key's identity is its material, not its kid. */
  readonly thumbprints: ReadonlySet<string>;
  select(header: JWSHeaderParameters): Promise<ResolvedKey>;
  /** Whether some key of the set carries this kid. */
  hasKid(kid: string): boolean;
  /** Per key, its kid (or `#` and its thumbprint when it has none), for refresh logs. */
  labels(): ReadonlyMap<string, string>;
}

/**
 * Build a snapshot from screened keys. Key selection stays jose's (createLocalJWKSet refuses
 * HMAC, mismatched `alg`/`use`/`key_ops` and ambiguous matches); the per-key selections only name
 * which key it chose, so a verified-token cache can bind each entry to that exact key: RFC 7517
 * lets two keys share a `kid` (an RSA and an EC key) and lets keys have none, so a `kid` says
 * nothing about which key verified a token.
 *
 * @throws when jose refuses the set, or a key has no RFC 7638 thumbprint; added to `ignored`
 *   instead when only that key is at fault.
 */
export async function buildKeySnapshot(
  usable: readonly JWK[],
  fetchedAt: number,
  ignored: IgnoredKey[],
): Promise<KeySnapshot> {
  const published: PublishedKey[] = [];
  for (const jwk of usable) {
    let thumbprint: string;
    try {
      thumbprint = await calculateJwkThumbprint(jwk, "sha256");
    } catch {
      ignored.push({ kid: jwk.kid, reason: "no RFC 7638 thumbprint (missing key members)" });
      continue;
    }
    // The same key published twice is one key.
    if (published.some((p) => p.thumbprint === thumbprint && p.kid === jwk.kid)) continue;
    published.push({
      kid: jwk.kid,
      thumbprint,
      select: createLocalJWKSet({ keys: [jwk] }),
    });
  }
  if (published.length === 0) throw new Error("key set has no usable signing key");
  const select = createLocalJWKSet({ keys: [...usable] });
  const kids = [...new Set(published.flatMap((p) => (p.kid === undefined ? [] : [p.kid])))];
  return {
    fetchedAt,
    kids,
    thumbprints: new Set(published.map((p) => p.thumbprint)),
    hasKid: (kid) => kids.includes(kid),
    labels: () => new Map(published.map((p) => [p.thumbprint, p.kid ?? `#${p.thumbprint}`])),
    async select(header) {
      // jose decides (one match, none, or an ambiguous set); the per-key selections then say
      // which key it was. Exactly one of them matches whenever the full selection did.
      await select(header);
      for (const key of published) {
        if (typeof header.kid === "string" && key.kid !== header.kid) continue;
        const chosen = await key.select(header).catch(() => undefined);
        if (chosen !== undefined) return { key: chosen, thumbprint: key.thumbprint };
      }
      throw new Error("jose selected a key that no single-key selection matches");
    },
  };
}
