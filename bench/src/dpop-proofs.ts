import { createHash, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { calculateJwkThumbprint } from "jose";

/** A proof older than this is never sent: the api accepts an `iat` up to 60 s old (Express 300 s). */
export const MAX_PROOF_AGE_MS = 45_000;

export type DpopKey = Awaited<ReturnType<typeof createDpopKey>>;

/**
 * The benchmark client's DPoP key (RFC 9449 §4.2), ES256: the proofs' protected header with its
 * public half, base64url, and its RFC 7638 thumbprint, the `cnf.jkt` of a token bound to it.
 */
export async function createDpopKey() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const header = base64url(JSON.stringify({ typ: "dpop+jwt", alg: "ES256", jwk }));
  return { privateKey, header, jkt: await calculateJwkThumbprint(jwk) } as const;
}

/**
 * A signer of proofs for `htm` on `htu` sent with `accessToken` (its hash as `ath`), each with a
 * fresh `jti` and `iat`. Synchronous (node:crypto), so that a request being built can wait for one.
 */
export function proofSigner(key: DpopKey, htm: string, htu: string, accessToken: string) {
  const ath = createHash("sha256").update(accessToken).digest("base64url");
  return (now = Date.now()): string => {
    const claims = { htm, htu, iat: Math.floor(now / 1000), jti: randomUUID(), ath };
    const input = `${key.header}.${base64url(JSON.stringify(claims))}`;
    const options = { key: key.privateKey, dsaEncoding: "ieee-p1363" } as const;
    return `${input}.${sign("sha256", Buffer.from(input), options).toString("base64url")}`;
  };
}

/** Proofs for a run of `seconds` on `connections` at `expectedRps`, with half as many to spare. */
export function proofPoolSize(expectedRps: number, seconds: number, connections: number): number {
  // autocannon builds each connection's first request before the run and its next after the last.
  return Math.ceil(expectedRps * seconds * 1.5) + 2 * connections;
}

/**
 * `size` proofs signed before a run, one handed out per request, so that under load the load
 * generator spends its CPU on requests, not signatures. Past the last, or once they are older than
 * MAX_PROOF_AGE_MS, each is signed on demand: a run never sends a repeated or a stale proof.
 */
export function proofPool(signProof: (now?: number) => string, size: number, clock = Date.now) {
  const signedAt = clock();
  const proofs = Array.from({ length: size }, () => signProof(signedAt));
  let next = 0;
  return () => {
    const fresh = next < proofs.length && clock() - signedAt < MAX_PROOF_AGE_MS;
    return fresh ? (proofs[next++] as string) : signProof(clock());
  };
}

function base64url(text: string): string {
  return Buffer.from(text).toString("base64url");
}
