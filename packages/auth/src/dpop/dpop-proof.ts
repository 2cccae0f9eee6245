import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { isCanonicalCompactJws } from "../compact-jws.ts";
import { AuthError } from "../errors.ts";
import { PRIVATE_JWK_MEMBERS } from "../public-jwk.ts";
import type { ReplayCache } from "../replay-cache.ts";
import type { DpopNonces } from "./dpop-nonces.ts";
import { normalizeHttpUri } from "./normalize-http-uri.ts";
import { type ProofKey, ProofKeys } from "./proof-keys.ts";

/**
 * A proof's `iat` may be this old: a client makes a proof for each request, so this is about clock
 * skew (RFC 9449 §11.1 asks for seconds or minutes), and it bounds how long a `jti` is remembered.
 */
export const DPOP_PROOF_MAX_AGE_SECONDS = 60;
/** ... and this far ahead, for clocks a little fast. */
export const DPOP_PROOF_MAX_FUTURE_SECONDS = 30;
/** A proof is a header with a public key and a signature: a few KiB at most even with RSA 4096. */
export const DPOP_PROOF_MAX_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;

/** What a request must satisfy for its DPoP proof to be accepted (RFC 9449 §4.3). */
export interface DpopProofExpectations {
  /** Every value of the request's `DPoP` header, as Node's `headersDistinct` keeps them. */
  readonly headerValues: readonly string[] | undefined;
  /** The request method, compared with `htm` exactly. */
  readonly method: string;
  /** The normalised URLs (see normalizeHttpUri) the proof's `htu` may name. */
  readonly acceptedHtus: ReadonlySet<string> | readonly string[];
  /**
   * At a resource (§7.1): the access token, whose hash `ath` must be. At a token endpoint (§5):
   * undefined, and a proof carrying `ath` is refused.
   */
  readonly accessToken: string | undefined;
  /** The asymmetric JWS algorithms a proof may use. */
  readonly algorithms: readonly string[];
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Where spent `jti`s are remembered until their `iat` leaves the window. */
  readonly replays: ReplayCache;
  /** Set when the server requires its nonces in proofs (§8, §9). */
  readonly nonces: DpopNonces | undefined;
  /** Where proof keys are kept once imported (one per process; default: one shared here). */
  readonly keys?: ProofKeys;
}

const sharedKeys = new ProofKeys();

/**
 * Protected headers already checked, by their base64url text: a client's proofs all carry the same
 * header (its `typ`, `alg` and `jwk`), so its checks and key import are done once. Bounded.
 */
const checkedHeaders = new LRUCache<string, { readonly alg: string; readonly key: ProofKey }>({
  max: 10_000,
});
/** `ath` of the tokens seen last: a client sends one token with many proofs. Bounded. */
const tokenHashes = new LRUCache<string, string>({ max: 1_000 });

/** What a valid proof binds to: the RFC 7638 SHA-256 thumbprint of the proof's key. */
export interface VerifiedDpopProof {
  readonly jkt: string;
}

/**
 * Checks a request's DPoP proof (RFC 9449 §4.3 at both a token endpoint and a resource; `ath`
 * per §7.1 at a resource). Resolves to undefined when the request has no `DPoP` header: whether
 * that is allowed is the caller's decision.
 *
 * @throws AuthError `invalid_dpop_proof` with a description naming the failed rule;
 *   `use_dpop_nonce` (with `dpopNonce` set) when nonces are on and the proof has none or a stale
 *   one; `replay_cache_full` (with `retryAfterSeconds`) when no `jti` can be remembered now.
 */
export async function verifyDpopProof(
  expected: DpopProofExpectations,
): Promise<VerifiedDpopProof | undefined> {
  const values = expected.headerValues;
  if (values === undefined || values.length === 0) return undefined;
  const proof = (values[0] as string).trim();
  // A JWS has no comma: one in the value is two headers a proxy or client joined into one.
  if (values.length > 1 || proof.includes(",")) {
    throw invalidProof("Send exactly one DPoP header");
  }
  if (proof === "") throw invalidProof("The DPoP header is empty");
  if (proof.length > DPOP_PROOF_MAX_LENGTH) {
    throw invalidProof(`DPoP proof is over ${DPOP_PROOF_MAX_LENGTH} characters`);
  }

  const { headerSegment, payload, signingInput, signature } = decodeProof(proof);
  const keys = expected.keys ?? sharedKeys;
  const { alg, key: resolved } = await headerKey(headerSegment, expected.algorithms, keys);
  if (!keys.verify(alg, resolved.key, signingInput, signature)) {
    throw invalidProof("DPoP proof signature does not verify with its jwk");
  }
  checkClaims(payload, expected);
  const jti = payload.jti as string;
  const iat = payload.iat as number;

  // Checked after the signature, so only the key holder can learn the nonce is needed; and before
  // the jti is spent, so the client's retry with a fresh proof is not refused as a replay.
  if (expected.nonces !== undefined) {
    if (typeof payload.nonce !== "string") {
      throw nonceChallenge("A DPoP nonce is required: retry with the DPoP-Nonce given", expected);
    }
    if (!expected.nonces.isValid(payload.nonce)) {
      throw nonceChallenge("The DPoP nonce is stale: retry with the DPoP-Nonce given", expected);
    }
  }

  const { jkt } = resolved;
  // Remembered until its iat leaves the window, after which the iat check refuses it anyway.
  const until = (iat + DPOP_PROOF_MAX_AGE_SECONDS + 1) * 1000;
  const verdict = expected.replays.remember(`${jkt}:${jti}`, until);
  if (verdict === "replayed") throw invalidProof("DPoP proof jti was used before");
  if (verdict === "full") {
    throw new AuthError("replay_cache_full", "Too many recent DPoP proofs: retry later", {
      retryAfterSeconds: Math.max(1, Math.ceil(expected.replays.msUntilRoom() / 1000)),
    });
  }
  return { jkt };
}

/** The base64url SHA-256 of an access token: a proof's `ath` (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
  let hash = tokenHashes.get(accessToken);
  if (hash === undefined) {
    hash = createHash("sha256").update(accessToken).digest("base64url");
    tokenHashes.set(accessToken, hash);
  }
  return hash;
}

type JwkMembers = Readonly<Record<string, unknown>>;

interface DecodedProof {
  readonly headerSegment: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/**
 * A compact JWS in canonical base64url (one spelling per proof) whose payload is a JSON object in
 * UTF-8 (RFC 7515 §5.2 steps 1-5; the header is read by headerKey).
 */
function decodeProof(proof: string): DecodedProof {
  const parts = proof.split(".");
  const [h, p, s] = parts;
  if (parts.length !== 3 || h === undefined || p === undefined || s === undefined) {
    throw invalidProof("DPoP proof is not a JWS in compact form");
  }
  if (!isCanonicalCompactJws(proof)) {
    throw invalidProof("DPoP proof is not in canonical base64url");
  }
  const payload = jsonObject(p);
  if (payload === undefined) throw invalidProof("DPoP proof claims must be a JSON object");
  return {
    headerSegment: h,
    payload,
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, "base64url"),
  };
}

/** The algorithm and key of a proof's protected header, checked (and remembered once checked). */
async function headerKey(
  segment: string,
  algorithms: readonly string[],
  keys: ProofKeys,
): Promise<{ readonly alg: string; readonly key: ProofKey }> {
  const known = keys === sharedKeys ? checkedHeaders.get(segment) : undefined;
  if (known !== undefined) {
    if (!algorithms.includes(known.alg)) throw algorithmRefused(algorithms);
    return known;
  }
  const header = jsonObject(segment);
  if (header === undefined) throw invalidProof("DPoP proof header must be a JSON object");
  const alg = checkHeader(header, algorithms);
  const key = await keys.resolve(header.jwk as JwkMembers, alg);
  if (typeof key === "string") throw invalidProof(`DPoP proof ${key}`);
  const checked = { alg, key };
  if (keys === sharedKeys) checkedHeaders.set(segment, checked);
  return checked;
}

function algorithmRefused(algorithms: readonly string[]): AuthError {
  return invalidProof(`DPoP proof alg must be one of ${algorithms.join(" ")} (asymmetric)`);
}

function jsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const bytes = Buffer.from(segment, "base64url");
    if (!isUtf8(bytes)) return undefined;
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** typ, alg and jwk (RFC 9449 §4.3 steps 4-7), each refused with its own description. */
function checkHeader(
  header: Readonly<Record<string, unknown>>,
  algorithms: readonly string[],
): string {
  if (header.typ !== "dpop+jwt") throw invalidProof("DPoP proof typ must be dpop+jwt");
  if (typeof header.alg !== "string" || !algorithms.includes(header.alg)) {
    throw algorithmRefused(algorithms);
  }
  // No extension is understood here, so any critical one is refused (RFC 7515 §4.1.11); b64
  // other than true changes what the signature covers (RFC 7797).
  if ("crit" in header) throw invalidProof("DPoP proof must not carry crit");
  if ("b64" in header && header.b64 !== true) throw invalidProof("DPoP proof must not carry b64");
  const jwk = header.jwk;
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    throw invalidProof("DPoP proof must carry its public key in the jwk header");
  }
  const members = jwk as Record<string, unknown>;
  if (members.kty === "oct") throw invalidProof("DPoP proof jwk must be an asymmetric key");
  if (PRIVATE_JWK_MEMBERS.some((name) => name in members)) {
    throw invalidProof("DPoP proof jwk must be a public key (it has private members)");
  }
  return header.alg;
}

/** htm, htu, iat, jti and ath (RFC 9449 §4.3 steps 8-12, §7.1). */
function checkClaims(
  payload: Readonly<Record<string, unknown>>,
  expected: DpopProofExpectations,
): void {
  if (payload.htm !== expected.method) {
    throw invalidProof(`DPoP proof htm must be ${expected.method}`);
  }
  const accepted = expected.acceptedHtus;
  const isAccepted = (htu: string) =>
    "has" in accepted ? accepted.has(htu) : accepted.includes(htu);
  // An htu already in normal form (as clients send it) needs no parse.
  const raw = typeof payload.htu === "string" ? payload.htu : undefined;
  const htu = raw === undefined || isAccepted(raw) ? raw : normalizeHttpUri(raw);
  if (htu === undefined || !isAccepted(htu)) {
    throw invalidProof("DPoP proof htu must be this request's URL");
  }
  const iat = payload.iat;
  if (typeof iat !== "number" || !Number.isFinite(iat)) {
    throw invalidProof("DPoP proof must have a numeric iat");
  }
  const nowSeconds = expected.now() / 1000;
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
  if (expected.accessToken === undefined) {
    if ("ath" in payload) {
      throw invalidProof("DPoP proof at the token endpoint must not carry ath");
    }
  } else if (payload.ath !== accessTokenHash(expected.accessToken)) {
    throw invalidProof("DPoP proof ath must be the hash of the access token sent with it");
  }
}

function invalidProof(description: string, cause?: unknown): AuthError {
  return new AuthError("invalid_dpop_proof", description, { cause, scheme: "dpop" });
}

function nonceChallenge(description: string, expected: DpopProofExpectations): AuthError {
  return new AuthError("use_dpop_nonce", description, {
    scheme: "dpop",
    dpopNonce: expected.nonces?.current(),
  });
}
