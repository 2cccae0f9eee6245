import { randomUUID } from "node:crypto";
import {
  createClientCredentialsTokenSource,
  createDpopSigner,
  type DpopSigner,
} from "@repo/auth/client";
import { ASYMMETRIC_ALGORITHMS, type AuthErrorCode, accessTokenHash } from "@repo/auth/server";
import type { LocalIssuer } from "@repo/issuer";
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  SignJWT,
} from "jose";
import { expect } from "vitest";
import type { Exchange } from "./http-exchange.ts";
import { TRPC_CODE } from "./security-cases.ts";

/**
 * The DPoP table (RFC 9449 §4.3, §7.1): every row is one request made with real keys and a token
 * from the real local issuer, with the status, the exact WWW-Authenticate challenge and the
 * AuthError code it must produce. Each row runs on every transport (TRANSPORTS) of an api in the
 * row's DPoP mode (dpop-security.test.ts), and the `required` rows also against the real entry
 * point. Adding a case is adding a row.
 */

/** How the api under a row treats DPoP: AUTHACTION_DPOP, and `nonce` for allowed + nonces. */
export type DpopStackKind = "allowed" | "required" | "disabled" | "nonce";

/** A proof key: the WebCrypto pair (extractable, to put the private half where it must not be). */
export interface ProofKey {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

export async function proofKey(): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  return {
    privateKey,
    publicKey,
    publicJwk: await exportJWK(publicKey),
    privateJwk: await exportJWK(privateKey),
  };
}

/** The keys and tokens every row is made of. */
export interface DpopTokens {
  /** The client's key, the one the bound tokens are bound to. */
  readonly key: ProofKey;
  /** The real client signer (@repo/auth/client) over `key`. */
  readonly signer: DpopSigner;
  /** An attacker's key. */
  readonly other: ProofKey;
  /** A token bound to `key` (cnf.jkt), from the issuer's token endpoint with a proof. */
  readonly bound: string;
  /** A Bearer token from the issuer's token endpoint (no proof, no cnf). */
  readonly unbound: string;
  /** A token bound to `key` that expired a minute ago, signed by the issuer. */
  readonly expiredBound: string;
}

/**
 * A key, the client's signer over it, and tokens of the demo client from `issuer`: one bound to
 * the key through the real token source (a proof at the token endpoint), one Bearer.
 */
export async function dpopTokens(issuer: LocalIssuer): Promise<DpopTokens> {
  const key = await proofKey();
  const signer = await createDpopSigner({ keyPair: key });
  const options = {
    tokenUrl: issuer.tokenUrl,
    clientId: "demo-client",
    clientSecret: "demo-secret",
    audience: issuer.audience,
  };
  const source = createClientCredentialsTokenSource({ ...options, dpop: signer });
  const bound = await source.getTokenInfo();
  expect(bound.tokenType).toBe("DPoP");
  const unbound = await createClientCredentialsTokenSource(options).getTokenInfo();
  expect(unbound.tokenType).toBe("Bearer");
  const now = Math.floor(Date.now() / 1000);
  const expiredBound = await issuer.signToken({
    issuedAt: now - 3600,
    expiresInSeconds: 3540,
    claims: { cnf: { jkt: await signer.thumbprint() } },
  });
  return {
    key,
    signer,
    other: await proofKey(),
    bound: bound.accessToken,
    unbound: unbound.accessToken,
    expiredBound,
  };
}

/** What a row builds its request from. */
export interface DpopParts extends DpopTokens {
  /** The request's method, what `htm` names. */
  readonly method: "GET" | "POST";
  /** The request's URL without query, as the client names it: what `htu` names. */
  readonly htu: string;
  /** The nonce api's current nonce (undefined on the other apis). */
  readonly nonce: string | undefined;
}

/** Header or claim members over the defaults; `undefined` deletes one. */
type Members = Readonly<Record<string, unknown>>;

interface ProofSpec {
  readonly claims?: Members;
  readonly header?: Members;
  /** Who signs (default `key`). */
  readonly signer?: "key" | "other";
}

/**
 * A proof crafted with jose: by default a valid one for the request (htm, htu, iat now, a fresh
 * jti, ath of the bound token, the nonce api's nonce), `spec` saying what differs.
 */
export async function craftProof(parts: DpopParts, spec: ProofSpec = {}): Promise<string> {
  const signer = spec.signer === "other" ? parts.other : parts.key;
  const claims = merge(
    {
      htm: parts.method,
      htu: parts.htu,
      iat: nowSeconds(),
      jti: randomUUID(),
      ath: accessTokenHash(parts.bound),
      nonce: parts.nonce,
    },
    spec.claims,
  );
  const header = merge({ typ: "dpop+jwt", alg: "ES256", jwk: signer.publicJwk }, spec.header);
  // Signed here rather than by jose, which refuses to sign some of the headers tests need (an
  // alg that is not a string): an ES256 signature over whatever the header says.
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${part(header)}.${part(claims)}`;
  const signature = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    signer.privateKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}

/** A proof with `alg: none` and no signature. */
function unsignedProof(parts: DpopParts): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = { typ: "dpop+jwt", alg: "none", jwk: parts.key.publicJwk };
  const claims = {
    htm: parts.method,
    htu: parts.htu,
    iat: nowSeconds(),
    jti: randomUUID(),
    ath: accessTokenHash(parts.bound),
  };
  return `${part(header)}.${part(claims)}.`;
}

/** An HS256 proof whose jwk is the (symmetric) key it is signed with. */
function symmetricProof(parts: DpopParts): Promise<string> {
  const secret = new TextEncoder().encode("a shared secret of at least 32 bytes!!");
  const jwk = { kty: "oct", k: Buffer.from(secret).toString("base64url") };
  return new SignJWT({
    htm: parts.method,
    htu: parts.htu,
    iat: nowSeconds(),
    jti: randomUUID(),
    ath: accessTokenHash(parts.bound),
  })
    .setProtectedHeader({ typ: "dpop+jwt", alg: "HS256", jwk } as JWTHeaderParameters)
    .sign(secret);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function merge(defaults: Record<string, unknown>, overrides: Members = {}) {
  const merged: Record<string, unknown> = { ...defaults, ...overrides };
  for (const [name, value] of Object.entries(merged)) {
    if (value === undefined) delete merged[name];
  }
  return merged;
}

/** What a row sends. */
export interface DpopSent {
  /** One Authorization value, or none. */
  readonly authorization?: string;
  /** One DPoP value, several (several header lines), or none. */
  readonly dpop?: string | readonly string[];
  /** Send the same request twice: the first must be accepted, the second is the row's. */
  readonly replay?: boolean;
}

// --- what a row must produce ---

/** The api's proof algorithms, as its DPoP challenges name them. */
export const ALGS = ASYMMETRIC_ALGORITHMS.join(" ");

export interface DpopExpected {
  readonly status: 200 | 400 | 401;
  /** The AuthError code: tRPC `data.reason`, REST `error`. */
  readonly reason?: AuthErrorCode;
  /** The safe text: tRPC `message`, REST `message`, the challenge's error_description. */
  readonly description?: string;
  /** The exact WWW-Authenticate, given the `resource_metadata="…"` parameter; none when accepted. */
  readonly challenge?: (metadata: string) => string;
  /** The answer carries the api's current DPoP-Nonce (RFC 9449 §8.2). Default: no DPoP-Nonce. */
  readonly nonce?: boolean;
}

const ACCEPTED: DpopExpected = { status: 200 };

type Scheme = "bearer" | "dpop";
type ChallengeError = "invalid_request" | "invalid_token" | "invalid_dpop_proof" | "use_dpop_nonce";

/**
 * A refusal as a mode answers it (RFC 9449 §7.1, RFC 6750 §3): `required` sends the DPoP
 * challenge only; `allowed` the DPoP one with the error beside a bare Bearer one when the request
 * used the DPoP scheme, else the Bearer one with the error; `disabled` Bearer only.
 */
function refused(
  mode: "allowed" | "required" | "disabled",
  scheme: Scheme,
  status: 400 | 401,
  reason: AuthErrorCode,
  description: string,
  error: ChallengeError | undefined,
): DpopExpected {
  const params =
    error === undefined ? [] : [`error="${error}"`, `error_description="${description}"`];
  const bearer = (withError: boolean) => (m: string) =>
    ['Bearer realm="api"', ...(withError ? params : []), m].join(", ");
  const dpop = (m: string) => [`DPoP algs="${ALGS}"`, ...params, m].join(", ");
  let challenge: (m: string) => string;
  if (mode === "required") challenge = dpop;
  else if (mode === "allowed" && scheme === "dpop")
    challenge = (m) => `${bearer(false)(m)}, ${dpop(m)}`;
  else challenge = bearer(true);
  return { status, reason, description, challenge };
}

const badProof = (description: string, mode: "allowed" | "required" = "allowed") =>
  refused(mode, "dpop", 401, "invalid_dpop_proof", description, "invalid_dpop_proof");

const SEVERAL_PROOFS = badProof("Send exactly one DPoP header");
const WRONG_HTU = badProof("DPoP proof htu must be this request's URL");
const REPLAYED = badProof("DPoP proof jti was used before");
const WRONG_ATH = badProof("DPoP proof ath must be the hash of the access token sent with it");
const ALG_REFUSED = badProof(`DPoP proof alg must be one of ${ALGS} (asymmetric)`);

export interface DpopCase {
  readonly name: string;
  readonly stack: DpopStackKind;
  /** What it must produce; a function of the method when the description names it. */
  readonly expected: DpopExpected | ((method: string) => DpopExpected);
  readonly build: (parts: DpopParts) => DpopSent | Promise<DpopSent>;
}

const dpopWith = async (parts: DpopParts, spec: ProofSpec = {}): Promise<DpopSent> => ({
  authorization: `DPoP ${parts.bound}`,
  dpop: await craftProof(parts, spec),
});

/** The bound token with a proof from the client's own signer (what a real client sends). */
const signedByClient = async (parts: DpopParts): Promise<DpopSent> => ({
  authorization: `DPoP ${parts.bound}`,
  dpop: await parts.signer.proofFor(parts.method, parts.htu, parts.bound),
});

/** Another token than the bound one, with the DPoP scheme and a valid proof for it. */
const dpopSending = async (parts: DpopParts, token: string): Promise<DpopSent> => ({
  authorization: `DPoP ${token}`,
  dpop: await craftProof(parts, { claims: { ath: accessTokenHash(token) } }),
});

export const DPOP_CASES: readonly DpopCase[] = [
  // --- allowed (the default): Bearer for unbound tokens, DPoP for bound ones ---
  {
    name: "a bound token with the client signer's proof is accepted",
    stack: "allowed",
    expected: ACCEPTED,
    build: signedByClient,
  },
  {
    name: "the DPoP scheme in lower case is accepted",
    stack: "allowed",
    expected: ACCEPTED,
    build: async (p) => ({ authorization: `dpop ${p.bound}`, dpop: await craftProof(p) }),
  },
  {
    name: "an unbound token as Bearer, with no proof, keeps working",
    stack: "allowed",
    expected: ACCEPTED,
    build: (p) => ({ authorization: `Bearer ${p.unbound}` }),
  },
  {
    name: "a bound token sent as Bearer is refused (a downgrade, RFC 9449 §7.2)",
    stack: "allowed",
    expected: refused(
      "allowed",
      "bearer",
      401,
      "wrong_binding",
      "A DPoP-bound token must be sent with the DPoP scheme and a proof",
      "invalid_token",
    ),
    build: (p) => ({ authorization: `Bearer ${p.bound}` }),
  },
  {
    name: "a bound token sent as Bearer beside a valid proof is refused",
    stack: "allowed",
    expected: refused(
      "allowed",
      "bearer",
      400,
      "invalid_request",
      "A DPoP proof needs the DPoP authentication scheme, not Bearer",
      "invalid_request",
    ),
    build: async (p) => ({ authorization: `Bearer ${p.bound}`, dpop: await craftProof(p) }),
  },
  {
    name: "an unbound Bearer token beside a DPoP header is refused",
    stack: "allowed",
    expected: refused(
      "allowed",
      "bearer",
      400,
      "invalid_request",
      "A DPoP proof needs the DPoP authentication scheme, not Bearer",
      "invalid_request",
    ),
    build: async (p) => ({ authorization: `Bearer ${p.unbound}`, dpop: await craftProof(p) }),
  },
  {
    name: "the DPoP scheme with no DPoP header is refused",
    stack: "allowed",
    expected: badProof("A DPoP proof is required with the DPoP scheme"),
    build: (p) => ({ authorization: `DPoP ${p.bound}` }),
  },
  {
    name: "two DPoP header lines are refused",
    stack: "allowed",
    expected: SEVERAL_PROOFS,
    build: async (p) => ({
      authorization: `DPoP ${p.bound}`,
      dpop: [await craftProof(p), await craftProof(p)],
    }),
  },
  {
    name: "two proofs joined in one DPoP header are refused",
    stack: "allowed",
    expected: SEVERAL_PROOFS,
    build: async (p) => ({
      authorization: `DPoP ${p.bound}`,
      dpop: `${await craftProof(p)}, ${await craftProof(p)}`,
    }),
  },
  {
    name: "a valid proof by another key than the token is bound to is refused",
    stack: "allowed",
    expected: refused(
      "allowed",
      "dpop",
      401,
      "wrong_binding",
      "Token is bound to another key than the DPoP proof's",
      "invalid_token",
    ),
    build: (p) => dpopWith(p, { signer: "other", header: { jwk: p.other.publicJwk } }),
  },
  {
    name: "a proof signed by another key than its jwk is refused",
    stack: "allowed",
    expected: badProof("DPoP proof signature does not verify with its jwk"),
    build: (p) => dpopWith(p, { signer: "other", header: { jwk: p.key.publicJwk } }),
  },
  {
    name: "a proof for another method (htm) is refused",
    stack: "allowed",
    expected: (method) => badProof(`DPoP proof htm must be ${method}`),
    build: (p) => dpopWith(p, { claims: { htm: p.method === "GET" ? "POST" : "GET" } }),
  },
  {
    name: "a proof for another path (htu) is refused",
    stack: "allowed",
    expected: WRONG_HTU,
    build: (p) => dpopWith(p, { claims: { htu: new URL("/trpc/public", p.htu).href } }),
  },
  {
    name: "a proof for another host (htu) is refused",
    stack: "allowed",
    expected: WRONG_HTU,
    build: (p) => {
      const htu = new URL(p.htu);
      htu.hostname = "api.example.com";
      return dpopWith(p, { claims: { htu: htu.href } });
    },
  },
  {
    name: "a proof for https when the api is reached over http (htu) is refused",
    stack: "allowed",
    expected: WRONG_HTU,
    build: (p) => dpopWith(p, { claims: { htu: p.htu.replace(/^http:/, "https:") } }),
  },
  {
    name: "a replayed proof (its jti already spent) is refused",
    stack: "allowed",
    expected: REPLAYED,
    build: async (p) => ({ ...(await dpopWith(p)), replay: true }),
  },
  {
    name: "a proof without ath is refused",
    stack: "allowed",
    expected: WRONG_ATH,
    build: (p) => dpopWith(p, { claims: { ath: undefined } }),
  },
  {
    name: "a proof whose ath is the hash of another token is refused",
    stack: "allowed",
    expected: WRONG_ATH,
    build: (p) => dpopWith(p, { claims: { ath: accessTokenHash(p.unbound) } }),
  },
  {
    name: "a proof whose iat is 61 s in the past is refused",
    stack: "allowed",
    expected: badProof("DPoP proof iat is more than 60 s in the past"),
    build: (p) => dpopWith(p, { claims: { iat: nowSeconds() - 61 } }),
  },
  {
    name: "a proof whose iat is 60 s in the future is refused",
    stack: "allowed",
    expected: badProof("DPoP proof iat is more than 30 s in the future"),
    build: (p) => dpopWith(p, { claims: { iat: nowSeconds() + 60 } }),
  },
  {
    name: "a proof whose typ is JWT, not dpop+jwt, is refused",
    stack: "allowed",
    expected: badProof("DPoP proof typ must be dpop+jwt"),
    build: (p) => dpopWith(p, { header: { typ: "JWT" } }),
  },
  {
    name: "a proof with alg none is refused",
    stack: "allowed",
    expected: ALG_REFUSED,
    build: (p) => ({ authorization: `DPoP ${p.bound}`, dpop: unsignedProof(p) }),
  },
  {
    name: "a proof with a symmetric alg (HS256) is refused",
    stack: "allowed",
    expected: ALG_REFUSED,
    build: async (p) => ({ authorization: `DPoP ${p.bound}`, dpop: await symmetricProof(p) }),
  },
  {
    name: "a proof carrying the private key in jwk is refused",
    stack: "allowed",
    expected: badProof("DPoP proof jwk must be a public key (it has private members)"),
    build: (p) => dpopWith(p, { header: { jwk: p.key.privateJwk } }),
  },
  {
    name: "an unbound token with the DPoP scheme and a valid proof is refused",
    stack: "allowed",
    expected: refused(
      "allowed",
      "dpop",
      401,
      "wrong_binding",
      "Token is not DPoP-bound: send it with the Bearer scheme",
      "invalid_token",
    ),
    build: (p) => dpopSending(p, p.unbound),
  },
  {
    name: "an expired bound token with the DPoP scheme and a valid proof gets the DPoP challenge",
    stack: "allowed",
    expected: refused("allowed", "dpop", 401, "expired", "Token has expired", "invalid_token"),
    build: (p) => dpopSending(p, p.expiredBound),
  },

  // --- required: DPoP-bound tokens with proofs only ---
  {
    name: "required: a bound token with the client signer's proof is accepted",
    stack: "required",
    expected: ACCEPTED,
    build: signedByClient,
  },
  {
    name: "required: an unbound Bearer token is refused with the DPoP challenge alone",
    stack: "required",
    expected: refused(
      "required",
      "bearer",
      401,
      "dpop_required",
      "This api accepts DPoP-bound tokens only",
      undefined,
    ),
    build: (p) => ({ authorization: `Bearer ${p.unbound}` }),
  },
  {
    name: "required: a bound token sent as Bearer is refused",
    stack: "required",
    expected: refused(
      "required",
      "bearer",
      401,
      "dpop_required",
      "This api accepts DPoP-bound tokens only",
      undefined,
    ),
    build: (p) => ({ authorization: `Bearer ${p.bound}` }),
  },
  {
    name: "required: no Authorization header gets the bare DPoP challenge",
    stack: "required",
    expected: refused(
      "required",
      "bearer",
      401,
      "missing_token",
      "Authorization header required",
      undefined,
    ),
    build: () => ({}),
  },
  {
    name: "required: an unbound token with the DPoP scheme and a valid proof is refused",
    stack: "required",
    expected: refused(
      "required",
      "dpop",
      401,
      "wrong_binding",
      "This api accepts DPoP-bound tokens only",
      "invalid_token",
    ),
    build: (p) => dpopSending(p, p.unbound),
  },
  {
    name: "required: a proof for another path (htu) is refused",
    stack: "required",
    expected: badProof("DPoP proof htu must be this request's URL", "required"),
    build: (p) => dpopWith(p, { claims: { htu: new URL("/trpc/public", p.htu).href } }),
  },
  {
    name: "required: a replayed proof is refused",
    stack: "required",
    expected: badProof("DPoP proof jti was used before", "required"),
    build: async (p) => ({ ...(await dpopWith(p)), replay: true }),
  },
  {
    name: "required: a proof whose typ is JWT is refused",
    stack: "required",
    expected: badProof("DPoP proof typ must be dpop+jwt", "required"),
    build: (p) => dpopWith(p, { header: { typ: "JWT" } }),
  },

  // --- disabled: Bearer with unbound tokens only ---
  {
    name: "disabled: an unbound Bearer token is accepted",
    stack: "disabled",
    expected: ACCEPTED,
    build: (p) => ({ authorization: `Bearer ${p.unbound}` }),
  },
  {
    name: "disabled: the DPoP scheme with a valid proof is refused",
    stack: "disabled",
    expected: refused(
      "disabled",
      "dpop",
      400,
      "invalid_request",
      "Authorization scheme must be Bearer",
      "invalid_request",
    ),
    build: (p) => dpopWith(p),
  },
  {
    name: "disabled: a bound token sent as Bearer is refused",
    stack: "disabled",
    expected: refused(
      "disabled",
      "bearer",
      401,
      "wrong_binding",
      "DPoP-bound tokens are not accepted by this api",
      "invalid_token",
    ),
    build: (p) => ({ authorization: `Bearer ${p.bound}` }),
  },

  // --- nonces (AUTHACTION_DPOP_NONCE=true, RFC 9449 §8, §9) ---
  {
    name: "nonce: a proof with the current nonce is accepted, the answer carrying DPoP-Nonce",
    stack: "nonce",
    expected: { ...ACCEPTED, nonce: true },
    build: (p) => dpopWith(p),
  },
  {
    name: "nonce: a proof without a nonce gets use_dpop_nonce and a DPoP-Nonce",
    stack: "nonce",
    expected: {
      ...refused(
        "allowed",
        "dpop",
        401,
        "use_dpop_nonce",
        "A DPoP nonce is required: retry with the DPoP-Nonce given",
        "use_dpop_nonce",
      ),
      nonce: true,
    },
    build: (p) => dpopWith(p, { claims: { nonce: undefined } }),
  },
  {
    name: "nonce: a nonce the api never issued gets use_dpop_nonce and a DPoP-Nonce",
    stack: "nonce",
    expected: {
      ...refused(
        "allowed",
        "dpop",
        401,
        "use_dpop_nonce",
        "The DPoP nonce is stale: retry with the DPoP-Nonce given",
        "use_dpop_nonce",
      ),
      nonce: true,
    },
    build: (p) => dpopWith(p, { claims: { nonce: "bm90LWEtbm9uY2UtZnJvbS10aGlzLWFwaQ" } }),
  },
  {
    name: "nonce: an invalid proof is invalid_dpop_proof, not a nonce challenge",
    stack: "nonce",
    expected: { ...WRONG_HTU, nonce: true },
    build: (p) => dpopWith(p, { claims: { nonce: undefined, htu: new URL("/x", p.htu).href } }),
  },
  {
    name: "nonce: an unbound Bearer token without proof is accepted, with no DPoP-Nonce",
    stack: "nonce",
    expected: ACCEPTED,
    build: (p) => ({ authorization: `Bearer ${p.unbound}` }),
  },
];

// --- the transports every row runs on ---

/** The subject of the issuer's demo client, which every token here names. */
export const SUBJECT = "demo-client@clients";

const PROTECTED = { message: "This is a protected message!", sub: SUBJECT };
const SECRET = { message: "This is a secret message!", sub: SUBJECT };
const enc = encodeURIComponent;

export interface Transport {
  readonly name: string;
  readonly method: "GET" | "POST";
  /** The request target; its path is what a proof names in `htu`. */
  readonly target: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** For a stream: read an accepted answer until this text, then close. */
  readonly readUntil?: string;
  /** Assert the body of an accepted request. */
  accepted(res: Exchange): void;
  /** Assert the body of a refusal (the status and headers are checked by the caller). */
  refused(
    res: Exchange,
    expected: Required<Pick<DpopExpected, "reason" | "description">> & { status: 400 | 401 },
  ): void;
}

/** tRPC's error envelope for one refused call. */
function trpcError(
  expected: { status: 400 | 401; reason: AuthErrorCode; description: string },
  path: string | undefined,
) {
  return {
    error: {
      message: expected.description,
      code: expect.any(Number),
      data: {
        code: TRPC_CODE[expected.status],
        httpStatus: expected.status,
        ...(path === undefined ? {} : { path }),
        reason: expected.reason,
      },
    },
  };
}

export const TRANSPORTS: readonly Transport[] = [
  {
    name: "a tRPC GET query (fast path)",
    method: "GET",
    target: "/trpc/protected",
    accepted: (res) => expect(res.json).toEqual({ result: { data: PROTECTED } }),
    refused: (res, expected) => expect(res.json).toEqual(trpcError(expected, "protected")),
  },
  {
    name: "a tRPC GET batch of two protected calls, one proof",
    method: "GET",
    target: `/trpc/protected,secret?batch=1&input=${enc("{}")}`,
    accepted: (res) =>
      expect(res.json).toEqual([{ result: { data: PROTECTED } }, { result: { data: SECRET } }]),
    refused: (res, expected) =>
      expect(res.json).toEqual([trpcError(expected, "protected"), trpcError(expected, "secret")]),
  },
  {
    name: "a tRPC POST mutation",
    method: "POST",
    target: "/trpc/postMessage",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: "posted with a DPoP proof" }),
    accepted: (res) =>
      expect(res.json).toMatchObject({
        result: { data: { text: "posted with a DPoP proof", sub: SUBJECT } },
      }),
    refused: (res, expected) => expect(res.json).toEqual(trpcError(expected, "postMessage")),
  },
  {
    name: "REST GET /protected",
    method: "GET",
    target: "/protected",
    accepted: (res) => expect(res.json).toEqual(PROTECTED),
    refused: (res, expected) =>
      expect(res.json).toEqual({ error: expected.reason, message: expected.description }),
  },
  {
    name: "an SSE subscription connect",
    method: "GET",
    target: "/trpc/onMessage",
    headers: { accept: "text/event-stream" },
    readUntil: "event: connected",
    accepted: (res) => {
      expect(res.headers["content-type"]).toBe("text/event-stream");
      expect(res.text).toContain("event: connected");
    },
    refused: (res, expected) => {
      expect(res.text).toContain(`"reason":"${expected.reason}"`);
      expect(res.text).toContain(expected.description);
    },
  },
  {
    name: "a jsonl stream batch of two protected calls (guards run twice), one proof",
    method: "GET",
    target: `/trpc/protected,secret?batch=1&input=${enc("{}")}`,
    headers: { "trpc-accept": "application/jsonl" },
    accepted: (res) => {
      // tRPC streams jsonl as chunked application/json, the head sent before any call ran.
      expect(res.headers["transfer-encoding"]).toBe("chunked");
      expect(res.text).toContain(JSON.stringify(PROTECTED));
      expect(res.text).toContain(JSON.stringify(SECRET));
      expect(res.text).not.toContain('"error"');
    },
    refused: (res, expected) => expect(res.json).toEqual(trpcError(expected, undefined)),
  },
  {
    name: "a jsonl stream mutation batch (POST), one proof",
    method: "POST",
    target: "/trpc/postMessage?batch=1",
    headers: { "trpc-accept": "application/jsonl", "content-type": "application/json" },
    body: JSON.stringify({ 0: { text: "streamed with a DPoP proof" } }),
    accepted: (res) => {
      expect(res.headers["transfer-encoding"]).toBe("chunked");
      expect(res.text).toContain('"text":"streamed with a DPoP proof"');
      expect(res.text).not.toContain('"error"');
    },
    refused: (res, expected) => expect(res.json).toEqual(trpcError(expected, undefined)),
  },
];
