import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  errors,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from "jose";
import type { DpopNonces } from "./dpop-nonces.ts";
import { normalizeHttpUri } from "./normalize-http-uri.ts";
import { OAuthError } from "./oauth-error.ts";
import { PRIVATE_JWK_MEMBERS } from "./public-jwk.ts";
import type { ReplayCache } from "./replay-cache.ts";
import { DPOP_SIGNING_ALGORITHMS } from "./signing-algorithms.ts";

/** A proof's `iat` may be this old (Auth0's middleware accepts 300 s too). */
export const DPOP_PROOF_MAX_AGE_SECONDS = 300;
/** ... and this far ahead, for clocks a little fast. */
export const DPOP_PROOF_MAX_FUTURE_SECONDS = 30;
/** A proof is a header with a public key and a signature: a few KiB at most even with RSA 4096. */
export const DPOP_PROOF_MAX_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;

export interface DpopProofContext {
  /** Every value of the request's `DPoP` header, as Node's `headersDistinct` keeps them. */
  readonly headerValues: readonly string[] | undefined;
  readonly method: string;
  /** The normalised token endpoint URLs a proof's `htu` may name (see normalizeHttpUri). */
  readonly acceptedHtus: ReadonlySet<string>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly replays: ReplayCache;
  /** Set when the issuer requires server nonces (ISSUER_DPOP_NONCE). */
  readonly nonces: DpopNonces | undefined;
}

/** What a valid proof binds the token to: the RFC 7638 thumbprint of the proof's key. */
export interface DpopBinding {
  readonly jkt: string;
}

/**
 * Checks the DPoP proof of a token request (RFC 9449 §4.3, at the token endpoint: no `ath`).
 * Returns undefined when the request has no `DPoP` header (a Bearer token is asked for).
 *
 * @throws OAuthError 400 `invalid_dpop_proof` naming the failed rule, 400 `use_dpop_nonce` when
 *   nonces are on and the proof has none or a stale one, 429 when the replay cache is full.
 */
export async function verifyDpopProof(context: DpopProofContext): Promise<DpopBinding | undefined> {
  const values = context.headerValues;
  if (values === undefined || values.length === 0) return undefined;
  const proof = values[0]!.trim();
  // A JWS has no comma: one in the value is two headers a proxy or client joined into one.
  if (values.length > 1 || proof.includes(",")) {
    throw invalidProof("send exactly one DPoP header");
  }
  if (proof === "") throw invalidProof("the DPoP header is empty");
  if (proof.length > DPOP_PROOF_MAX_LENGTH) {
    throw invalidProof(`DPoP proof is over ${DPOP_PROOF_MAX_LENGTH} characters`);
  }

  const jwk = checkHeader(proof);
  const payload = await verifySignature(proof, context.now);
  checkClaims(payload, context);
  const jti = payload.jti as string;
  const iat = payload.iat as number;

  // Checked after the signature, so only the key holder can learn the nonce is needed; and before
  // the jti is spent, so the client's retry with a fresh proof is not refused as a replay.
  if (context.nonces !== undefined) {
    if (typeof payload.nonce !== "string") {
      throw nonceChallenge("a DPoP nonce is required: retry with the DPoP-Nonce given");
    }
    if (!context.nonces.isValid(payload.nonce)) {
      throw nonceChallenge("the DPoP nonce is stale: retry with the DPoP-Nonce given");
    }
  }

  const jkt = await calculateJwkThumbprint(jwk, "sha256");
  // Remembered until its iat leaves the window, after which the iat check refuses it anyway.
  const until = (iat + DPOP_PROOF_MAX_AGE_SECONDS + 1) * 1000;
  const verdict = context.replays.remember(`${jkt}:${jti}`, until);
  if (verdict === "replayed") throw invalidProof("DPoP proof jti was used before");
  if (verdict === "full") {
    throw new OAuthError("temporarily_unavailable", "too many recent DPoP proofs", 429, {
      "Retry-After": String(Math.max(1, Math.ceil(context.replays.msUntilRoom() / 1000))),
    });
  }
  return { jkt };
}

/** typ, alg and jwk (RFC 9449 §4.3 steps 4-7), each refused with its own description. */
function checkHeader(proof: string): JWK {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(proof) as Record<string, unknown>;
  } catch {
    throw invalidProof("DPoP proof is not a JWS in compact form");
  }
  if (proof.split(".").length !== 3) throw invalidProof("DPoP proof is not a JWS in compact form");
  if (header.typ !== "dpop+jwt") throw invalidProof("DPoP proof typ must be dpop+jwt");
  if (typeof header.alg !== "string" || !DPOP_SIGNING_ALGORITHMS.includes(header.alg)) {
    throw invalidProof(
      `DPoP proof alg must be one of ${DPOP_SIGNING_ALGORITHMS.join(" ")} (asymmetric)`,
    );
  }
  const jwk = header.jwk;
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    throw invalidProof("DPoP proof must carry its public key in the jwk header");
  }
  const members = jwk as Record<string, unknown>;
  if (members.kty === "oct") throw invalidProof("DPoP proof jwk must be an asymmetric key");
  if (PRIVATE_JWK_MEMBERS.some((name) => name in members)) {
    throw invalidProof("DPoP proof jwk must be a public key (it has private members)");
  }
  return jwk as JWK;
}

async function verifySignature(proof: string, now: () => number): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: "dpop+jwt",
      algorithms: [...DPOP_SIGNING_ALGORITHMS],
      currentDate: new Date(now()),
    });
    return payload;
  } catch (error) {
    // Everything jose refuses here comes from the proof: its key, its alg, its signature.
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw invalidProof("DPoP proof signature does not verify with its jwk");
    }
    throw invalidProof("DPoP proof could not be verified with its jwk and alg");
  }
}

/** htm, htu, iat, jti, and no ath (RFC 9449 §4.3 steps 8-12, §5). */
function checkClaims(payload: JWTPayload, context: DpopProofContext): void {
  if (payload.htm !== context.method) {
    throw invalidProof(`DPoP proof htm must be ${context.method}`);
  }
  const htu = typeof payload.htu === "string" ? normalizeHttpUri(payload.htu) : undefined;
  if (htu === undefined || !context.acceptedHtus.has(htu)) {
    throw invalidProof("DPoP proof htu must be this token endpoint's URL");
  }
  const iat = payload.iat;
  if (typeof iat !== "number" || !Number.isFinite(iat)) {
    throw invalidProof("DPoP proof must have a numeric iat");
  }
  const nowSeconds = context.now() / 1000;
  if (iat < nowSeconds - DPOP_PROOF_MAX_AGE_SECONDS) {
    throw invalidProof(`DPoP proof iat is more than ${DPOP_PROOF_MAX_AGE_SECONDS} s in the past`);
  }
  if (iat > nowSeconds + DPOP_PROOF_MAX_FUTURE_SECONDS) {
    throw invalidProof(
      `DPoP proof iat is more than ${DPOP_PROOF_MAX_FUTURE_SECONDS} s in the future`,
    );
  }
  const jti = payload.jti;
  if (typeof jti !== "string" || jti === "" || jti.length > MAX_JTI_LENGTH) {
    throw invalidProof(`DPoP proof jti must be a string of 1 to ${MAX_JTI_LENGTH} characters`);
  }
  if ("ath" in payload) {
    throw invalidProof("DPoP proof at the token endpoint must not carry ath");
  }
}

function invalidProof(description: string): OAuthError {
  return new OAuthError("invalid_dpop_proof", description);
}

function nonceChallenge(description: string): OAuthError {
  // The DPoP-Nonce header itself is added by the endpoint, which sends it on every answer.
  return new OAuthError("use_dpop_nonce", description);
}
