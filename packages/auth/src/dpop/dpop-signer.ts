import type { webcrypto } from "node:crypto";
import { calculateThumbprint, generateKeyPair, generateProof } from "dpop";
import { DpopNonceMemory } from "./dpop-nonce-memory.ts";

/** The proof algorithms this signer makes keys for: what panva's `dpop` supports. */
export type DpopAlgorithm = "ES256" | "Ed25519" | "RS256" | "PS256";

/** A WebCrypto key pair; the private key may be (and by default is) non-extractable. */
export interface DpopKeyPair {
  readonly privateKey: webcrypto.CryptoKey;
  readonly publicKey: webcrypto.CryptoKey;
}

/** Options of `createDpopSigner`. */
export interface DpopSignerOptions {
  /**
   * The key pair to prove possession of (WebCrypto; the private key may be non-extractable), e.g.
   * one kept across restarts. Default: a new non-extractable key pair of `algorithm`.
   */
  readonly keyPair?: DpopKeyPair;
  /** Algorithm of the key pair made when none is given. Default `ES256`. */
  readonly algorithm?: DpopAlgorithm;
}

/**
 * Signs DPoP proofs (RFC 9449) with one key pair and remembers the nonces servers hand out, so a
 * token source and an api client can share it: tokens bound to its key are used with its proofs.
 */
export interface DpopSigner {
  /** RFC 7638 SHA-256 thumbprint of the public key: the `cnf.jkt` of tokens bound to it. */
  thumbprint(): Promise<string>;
  /**
   * A fresh proof (new `jti`, `iat` now) for a request: `htm` the method, `htu` the URL without
   * query and fragment, `nonce` the one last remembered for the URL's origin, and `ath` the hash
   * of `accessToken` when given (a request to a resource server, §7.1; none at a token endpoint).
   */
  proofFor(method: string, url: string | URL, accessToken?: string): Promise<string>;
  /** Remember the `DPoP-Nonce` header of a response from `url`, if it has one (§8.2). */
  rememberNonce(url: string | URL, headers: Headers): void;
  /** The nonce last remembered for `url`'s origin. */
  nonceFor(url: string | URL): string | undefined;
}

/**
 * A DPoP signer with a new non-extractable key pair (default ES256), or `options.keyPair`.
 * @throws TypeError when `keyPair` is not a private/public CryptoKey pair.
 */
export async function createDpopSigner(options: DpopSignerOptions = {}): Promise<DpopSigner> {
  const keyPair = options.keyPair ?? (await generateKeyPair(options.algorithm ?? "ES256"));
  if (keyPair.privateKey?.type !== "private" || keyPair.publicKey?.type !== "public") {
    throw new TypeError("createDpopSigner: keyPair must hold a private and a public CryptoKey");
  }
  const nonces = new DpopNonceMemory();
  let thumbprint: Promise<string> | undefined;
  return {
    thumbprint() {
      thumbprint ??= calculateThumbprint(keyPair.publicKey);
      return thumbprint;
    },
    proofFor(method, url, accessToken) {
      const target = new URL(url);
      target.search = "";
      target.hash = "";
      return generateProof(keyPair, target.href, method, nonces.nonceFor(target), accessToken);
    },
    rememberNonce: (url, headers) => nonces.remember(url, headers),
    nonceFor: (url) => nonces.nonceFor(url),
  };
}
