import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import type { ClientAssertionAlgorithm } from "./client-private-key.ts";

/** A new client key pair as JWKs: the private one for the client, the public one to register. */
export interface ClientKeyPair {
  /** With `kid` and `alg`: the value of AUTHACTION_CLIENT_PRIVATE_KEY. Secret. */
  readonly privateJwk: JWK;
  /** With `kid`, `alg` and `use: sig`: what the authorization server keeps for the client. */
  readonly publicJwk: JWK;
}

/**
 * Makes a key pair for private_key_jwt (default ES256; RSA algorithms get 2048-bit keys, EdDSA
 * Ed25519). Its `kid` is the RFC 7638 thumbprint of the public key, so it names this key alone.
 */
export async function generateClientKeyPair(
  algorithm: ClientAssertionAlgorithm = "ES256",
): Promise<ClientKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, {
    extractable: true,
    ...(algorithm === "EdDSA" ? { crv: "Ed25519" } : {}),
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, "sha256");
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: algorithm },
    publicJwk: { ...publicJwk, kid, alg: algorithm, use: "sig" },
  };
}
