import type { AuthErrorCode } from "@repo/auth/server";
import { b64url, craftToken, publicPem, type TestKeyPair } from "./craft-token.ts";
import {
  CLIENT_ID,
  claims,
  type Fixture,
  issuerSigned,
  type StackKind,
  SUBJECT,
  TENANT_AUDIENCES,
  TENANT_ISSUER,
} from "./security-fixture.ts";

/**
 * The security table: every row is one request built from real keys, with the status,
 * the exact WWW-Authenticate challenge and the AuthError code it must produce. Each row runs
 * against both /trpc/protected and the REST /protected, in-process (security-token-table.test.ts)
 * and against the real entry point (security-entry-point.test.ts). docs/security.md maps each
 * rule to its rows.
 */
export interface Expected {
  readonly status: 200 | 400 | 401;
  /** The AuthError code: tRPC `data.reason`, REST `error`, and the log's `reason`. */
  readonly reason?: AuthErrorCode;
  /** The safe text: tRPC `message`, REST `message`, and the challenge's error_description. */
  readonly description?: string;
  /** The exact WWW-Authenticate value; undefined when the request is accepted. */
  readonly challenge?: string;
}

export interface Sent {
  /** One Authorization value, several (several header lines), or none. */
  readonly authorization?: string | readonly string[];
  /** Appended to the path, e.g. `?access_token=...`. */
  readonly query?: string;
  /** The kid the refusal log must name (undefined: none can be read from the token). */
  readonly kid?: string;
  /** sub and client_id as the refusal log must show them: only once the signature verified. */
  readonly logged?: Logged;
  /** Strings no response body or log line may contain (the token, its signature). */
  readonly secrets: readonly string[];
}

export interface SecurityCase {
  readonly name: string;
  /** The rule it proves, as named in docs/security.md. */
  readonly rule: string;
  readonly stack: StackKind;
  readonly expected: Expected;
  readonly build: (f: Fixture) => Sent | Promise<Sent>;
}

const REALM = 'Bearer realm="api"';

export const accepted = (): Expected => ({ status: 200 });

export const noCredentials = (): Expected => ({
  status: 401,
  reason: "missing_token",
  description: "Authorization header required",
  challenge: REALM,
});

export const invalidRequest = (description: string): Expected => ({
  status: 400,
  reason: "invalid_request",
  description,
  challenge: `${REALM}, error="invalid_request", error_description="${description}"`,
});

export const invalidToken = (reason: AuthErrorCode, description: string): Expected => ({
  status: 401,
  reason,
  description,
  challenge: `${REALM}, error="invalid_token", error_description="${description}"`,
});

const ALG_REFUSED = invalidToken("unsupported_algorithm", "Token algorithm is not accepted");
const UNKNOWN_KEY = invalidToken("unknown_key", "Token signing key is not known");
const BAD_SIGNATURE = invalidToken("bad_signature", "Token signature is invalid");
const MALFORMED = invalidToken("malformed_token", "Token is malformed");
const UNSUPPORTED_FEATURE = invalidToken("malformed_token", "Token uses an unsupported feature");
const EXPIRED = invalidToken("expired", "Token has expired");
const WRONG_ISSUER = invalidToken("wrong_issuer", "Token issuer is not accepted");
const WRONG_AUDIENCE = invalidToken("wrong_audience", "Token audience is not accepted");
const missingClaim = (claim: string) =>
  invalidToken("missing_claim", `Token has no ${claim} claim`);
const invalidClaim = (claim: string) =>
  invalidToken("invalid_claim", `Token ${claim} claim is invalid`);
const claimOutOfRange = (claim: string) =>
  invalidToken("invalid_claim", `Token ${claim} claim is out of range`);

export interface Logged {
  readonly sub?: string;
  readonly clientId?: string;
}

/** What a refusal after a valid signature logs about the caller. */
export const VERIFIED: Logged = { sub: SUBJECT, clientId: CLIENT_ID };

/** A bearer request for `token`; `kid` and `logged` say what the refusal log must show. */
function bearer(token: string, kid: string | undefined, logged: Logged = {}): Sent {
  return { authorization: `Bearer ${token}`, kid, logged, secrets: secretsOf(token) };
}

/** The token and its signature segment (when long enough to be recognisable). */
function secretsOf(token: string): string[] {
  const signature = token.split(".")[2] ?? "";
  return signature.length >= 16 ? [token, signature] : [token];
}

/** A token signed by `pair` (an attacker's or a tenant key) with the given header. */
function signedBy(
  pair: TestKeyPair,
  header: Record<string, unknown>,
  kind: StackKind,
  f: Fixture,
  claimOverrides: Record<string, unknown> = {},
): string {
  return craftToken({
    header: { typ: "JWT", ...header },
    payload: claims(kind, f, claimOverrides),
    key: pair.privateKey,
  });
}

/** An issuer-signed token whose claims are checked after a valid signature. */
function claimCase(
  name: string,
  rule: string,
  expected: Expected,
  overrides: Record<string, unknown>,
  logged: Logged = VERIFIED,
): SecurityCase {
  return {
    name,
    rule,
    stack: "default",
    expected,
    build: (f) => ({
      ...bearer(issuerSigned(f, { claims: overrides }), f.issuerKid, logged),
    }),
  };
}

/** An issuer-signed token whose payload is exactly `json` (raw text, so 1e309 stays 1e309). */
function rawClaimsToken(f: Fixture, json: string): string {
  return craftToken({
    header: { alg: "RS256", typ: "JWT", kid: f.issuerKid },
    payload: { json },
    key: f.issuerKey,
  });
}

/** Replace the last character of `segment` by another that decodes to the same bytes. */
function sameBytesOtherLastChar(segment: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const original = Buffer.from(segment, "base64url");
  for (const c of alphabet) {
    const candidate = `${segment.slice(0, -1)}${c}`;
    if (candidate !== segment && Buffer.from(candidate, "base64url").equals(original)) {
      return candidate;
    }
  }
  throw new Error("segment has no unused trailing bits");
}

/** Flip one character in the middle of a segment to a different base64url character. */
function flipMiddle(segment: string): string {
  const i = Math.floor(segment.length / 2);
  const c = segment[i] === "A" ? "B" : "A";
  return `${segment.slice(0, i)}${c}${segment.slice(i + 1)}`;
}

const now = () => Math.floor(Date.now() / 1000);

export const CASES: readonly SecurityCase[] = [
  // --- algorithm: allow-list only (RFC 8725 §3.1-3.2, RFC 7518 §3.6) ---
  ...(["none", "None", "NONE", "nOnE"] as const).map(
    (alg): SecurityCase => ({
      name: `alg "${alg}" with an empty signature`,
      rule: "alg-allow-list",
      stack: "default",
      expected: ALG_REFUSED,
      build: (f) =>
        bearer(
          craftToken({
            header: { alg, typ: "JWT", kid: f.issuerKid },
            payload: claims("default", f),
          }),
          f.issuerKid,
        ),
    }),
  ),
  {
    name: 'alg "none" with a signature segment copied from a valid token',
    rule: "alg-allow-list",
    stack: "default",
    expected: ALG_REFUSED,
    build: (f) => {
      const [, , sig] = issuerSigned(f).split(".");
      const unsigned = craftToken({
        header: { alg: "none", kid: f.issuerKid },
        payload: claims("default", f),
      });
      return bearer(`${unsigned}${sig}`, f.issuerKid);
    },
  },
  {
    name: "HS256 signed with the issuer's public key as PEM text (RS256 → HS256 confusion)",
    rule: "no-hmac",
    stack: "default",
    expected: ALG_REFUSED,
    build: (f) =>
      bearer(
        craftToken({
          header: { alg: "HS256", typ: "JWT", kid: f.issuerKid },
          payload: claims("default", f),
          key: new Uint8Array(Buffer.from(publicPem(f.issuerJwk))),
        }),
        f.issuerKid,
      ),
  },
  {
    name: "HS256 signed with the issuer's public JWK (JSON text) as the secret",
    rule: "no-hmac",
    stack: "default",
    expected: ALG_REFUSED,
    build: (f) =>
      bearer(
        craftToken({
          header: { alg: "HS256", typ: "JWT", kid: f.issuerKid },
          payload: claims("default", f),
          key: new Uint8Array(Buffer.from(JSON.stringify(f.issuerJwk))),
        }),
        f.issuerKid,
      ),
  },
  {
    name: "HS512 signed with the issuer's modulus bytes as the secret",
    rule: "no-hmac",
    stack: "default",
    expected: ALG_REFUSED,
    build: (f) =>
      bearer(
        craftToken({
          header: { alg: "HS512", typ: "JWT", kid: f.issuerKid },
          payload: claims("default", f),
          key: new Uint8Array(Buffer.from(String(f.issuerJwk.n), "base64url")),
        }),
        f.issuerKid,
      ),
  },
  ...(["PS256", "RS384", "RS512"] as const).map(
    (alg): SecurityCase => ({
      name: `${alg} signed by the issuer's own key (outside the default RS256 allow-list)`,
      rule: "alg-allow-list",
      stack: "default",
      expected: ALG_REFUSED,
      build: (f) => bearer(issuerSigned(f, { header: { alg } }), f.issuerKid),
    }),
  ),
  {
    name: 'alg "rs256" (wrong case) signed RS256 by the issuer\'s key',
    rule: "alg-allow-list",
    stack: "default",
    expected: ALG_REFUSED,
    build: (f) =>
      bearer(issuerSigned(f, { header: { alg: "rs256" }, signAs: "RS256" }), f.issuerKid),
  },
  {
    name: "ES256 signed by an attacker's EC key, claiming the issuer's kid",
    rule: "alg-allow-list",
    stack: "default",
    expected: ALG_REFUSED,
    build: (f) =>
      bearer(
        signedBy(f.attacker.ec, { alg: "ES256", kid: f.issuerKid }, "default", f),
        f.issuerKid,
      ),
  },
  {
    name: "EdDSA signed by an attacker's Ed25519 key, claiming the issuer's kid",
    rule: "alg-allow-list",
    stack: "default",
    expected: ALG_REFUSED,
    build: (f) =>
      bearer(
        signedBy(f.attacker.ed, { alg: "EdDSA", kid: f.issuerKid }, "default", f),
        f.issuerKid,
      ),
  },
  {
    name: "no alg header at all",
    rule: "alg-allow-list",
    stack: "default",
    expected: MALFORMED,
    build: (f) =>
      bearer(issuerSigned(f, { header: { alg: undefined }, signAs: "RS256" }), f.issuerKid),
  },
  {
    name: "alg that is a number",
    rule: "alg-allow-list",
    stack: "default",
    expected: MALFORMED,
    build: (f) => bearer(issuerSigned(f, { header: { alg: 256 }, signAs: "RS256" }), f.issuerKid),
  },

  // --- keys come from the configured key set only, selected by kid (RFC 8725 §3.10) ---
  {
    name: "RS256 signed by an attacker's key claiming the issuer's kid",
    rule: "key-from-key-set",
    stack: "default",
    expected: BAD_SIGNATURE,
    build: (f) =>
      bearer(
        signedBy(f.attacker.rsa, { alg: "RS256", kid: f.issuerKid }, "default", f),
        f.issuerKid,
      ),
  },
  {
    name: "RS256 signed by an attacker's key with an unknown kid",
    rule: "key-from-key-set",
    stack: "default",
    expected: UNKNOWN_KEY,
    build: (f) =>
      bearer(
        signedBy(f.attacker.rsa, { alg: "RS256", kid: f.attacker.rsa.kid }, "default", f),
        f.attacker.rsa.kid,
      ),
  },
  {
    name: "RS256 signed by an attacker's key with no kid",
    rule: "key-from-key-set",
    stack: "default",
    expected: BAD_SIGNATURE,
    build: (f) => bearer(signedBy(f.attacker.rsa, { alg: "RS256" }, "default", f), undefined),
  },
  {
    name: "embedded jwk header holding the attacker's public key, attacker kid",
    rule: "no-header-keys",
    stack: "default",
    expected: UNKNOWN_KEY,
    build: (f) =>
      bearer(
        signedBy(
          f.attacker.rsa,
          { alg: "RS256", kid: f.attacker.rsa.kid, jwk: f.attacker.rsa.publicJwk },
          "default",
          f,
        ),
        f.attacker.rsa.kid,
      ),
  },
  {
    name: "embedded jwk header holding the attacker's public key, issuer's kid",
    rule: "no-header-keys",
    stack: "default",
    expected: BAD_SIGNATURE,
    build: (f) =>
      bearer(
        signedBy(
          f.attacker.rsa,
          { alg: "RS256", kid: f.issuerKid, jwk: f.attacker.rsa.publicJwk },
          "default",
          f,
        ),
        f.issuerKid,
      ),
  },
  {
    name: "jku header pointing at a server that publishes the attacker's key",
    rule: "no-header-keys",
    stack: "default",
    expected: UNKNOWN_KEY,
    build: (f) =>
      bearer(
        signedBy(
          f.attacker.rsa,
          { alg: "RS256", kid: f.attacker.rsa.kid, jku: `${f.trap.url}/jku` },
          "default",
          f,
        ),
        f.attacker.rsa.kid,
      ),
  },
  {
    name: "jku header pointing at the attacker's server, issuer's kid",
    rule: "no-header-keys",
    stack: "default",
    expected: BAD_SIGNATURE,
    build: (f) =>
      bearer(
        signedBy(
          f.attacker.rsa,
          { alg: "RS256", kid: f.issuerKid, jku: `${f.trap.url}/jku` },
          "default",
          f,
        ),
        f.issuerKid,
      ),
  },
  {
    name: "x5u header pointing at the attacker's server",
    rule: "no-header-keys",
    stack: "default",
    expected: UNKNOWN_KEY,
    build: (f) =>
      bearer(
        signedBy(
          f.attacker.rsa,
          { alg: "RS256", kid: f.attacker.rsa.kid, x5u: `${f.trap.url}/x5u.pem` },
          "default",
          f,
        ),
        f.attacker.rsa.kid,
      ),
  },
  {
    name: "x5c header with a certificate chain, issuer's kid, attacker's signature",
    rule: "no-header-keys",
    stack: "default",
    expected: BAD_SIGNATURE,
    build: (f) =>
      bearer(
        signedBy(
          f.attacker.rsa,
          {
            alg: "RS256",
            kid: f.issuerKid,
            x5c: [Buffer.from("not really DER").toString("base64")],
            x5t: "AAAA",
          },
          "default",
          f,
        ),
        f.issuerKid,
      ),
  },

  // --- crit and b64 (RFC 7515 §4.1.11, RFC 7797 §6, RFC 7519 §7.2) ---
  {
    name: 'crit ["exp"] with an exp header, signed by the issuer',
    rule: "crit",
    stack: "default",
    expected: UNSUPPORTED_FEATURE,
    build: (f) =>
      bearer(issuerSigned(f, { header: { crit: ["exp"], exp: now() + 60 } }), f.issuerKid),
  },
  {
    name: "crit naming an unknown extension, signed by the issuer",
    rule: "crit",
    stack: "default",
    expected: UNSUPPORTED_FEATURE,
    build: (f) =>
      bearer(
        issuerSigned(f, {
          header: { crit: ["urn:example:must-check"], "urn:example:must-check": 1 },
        }),
        f.issuerKid,
      ),
  },
  {
    name: "crit that is an empty array",
    rule: "crit",
    stack: "default",
    expected: MALFORMED,
    build: (f) => bearer(issuerSigned(f, { header: { crit: [] } }), f.issuerKid),
  },
  {
    name: 'b64: false with crit ["b64"], signature valid over the encoded claims',
    rule: "b64",
    stack: "default",
    expected: UNSUPPORTED_FEATURE,
    build: (f) => {
      // RFC 7797: the signing input is header "." payload bytes. Using the base64url text of the
      // claims as the unencoded payload gives the same signing input as an ordinary JWT, so a
      // verifier that ignored b64 would accept these claims.
      const header = b64url(
        JSON.stringify({ alg: "RS256", kid: f.issuerKid, b64: false, crit: ["b64"] }),
      );
      const payload = b64url(JSON.stringify(claims("default", f)));
      const token = craftToken({
        header: { encoded: header },
        payload: { encoded: payload },
        key: f.issuerKey,
        signAs: "RS256",
      });
      return bearer(token, f.issuerKid);
    },
  },
  {
    name: "b64: false without crit, signed by the issuer",
    rule: "b64",
    stack: "default",
    expected: UNSUPPORTED_FEATURE,
    build: (f) => bearer(issuerSigned(f, { header: { b64: false } }), f.issuerKid),
  },

  // --- claims (RFC 7519 §4.1, RFC 9068 §2.2, RFC 8725 §3.8-3.9) ---
  claimCase("expired an hour ago", "exp", EXPIRED, { iat: now() - 7200, exp: now() - 3600 }),
  claimCase("expired 30 s ago (beyond the 5 s tolerance)", "exp", EXPIRED, {
    exp: now() - 30,
  }),
  claimCase("no exp claim", "exp", missingClaim("exp"), { exp: undefined }),
  claimCase("exp as a string", "exp", invalidClaim("exp"), { exp: String(now() + 3600) }),
  claimCase("exp null", "exp", invalidClaim("exp"), { exp: null }),
  {
    name: "exp 1e309 (parses to Infinity: a token that never expires)",
    rule: "exp",
    stack: "default",
    expected: invalidClaim("exp"),
    build: (f) => {
      const json = JSON.stringify(claims("default", f, { exp: "EXP" })).replace('"EXP"', "1e309");
      return bearer(rawClaimsToken(f, json), f.issuerKid, VERIFIED);
    },
  },
  // From 8.64e12 s a Date is Invalid: an exp there never passed (cached and streamed for ever).
  claimCase("exp 8.64e12 (past year 9999)", "exp", claimOutOfRange("exp"), { exp: 8.64e12 }),
  claimCase("exp one second past year 9999", "exp", claimOutOfRange("exp"), {
    exp: 253_402_300_800,
  }),
  claimCase("nbf past year 9999", "nbf-iat", claimOutOfRange("nbf"), { nbf: 253_402_300_800 }),
  claimCase("iat past year 9999", "nbf-iat", claimOutOfRange("iat"), { iat: 8.64e12 }),
  claimCase(
    "nbf an hour ahead",
    "nbf-iat",
    invalidToken("not_yet_valid", "Token is not valid yet"),
    {
      nbf: now() + 3600,
    },
  ),
  claimCase("nbf as a string", "nbf-iat", invalidClaim("nbf"), { nbf: "yesterday" }),
  claimCase("iat an hour ahead", "nbf-iat", invalidClaim("iat"), { iat: now() + 3600 }),
  claimCase("iat as a string", "nbf-iat", invalidClaim("iat"), { iat: "now" }),
  claimCase(
    "no sub claim",
    "sub",
    missingClaim("sub"),
    { sub: undefined },
    { clientId: CLIENT_ID },
  ),
  claimCase(
    "sub that is a number",
    "sub",
    invalidClaim("sub"),
    { sub: 42 },
    { clientId: CLIENT_ID },
  ),
  claimCase(
    "sub that is empty",
    "sub",
    invalidClaim("sub"),
    { sub: "" },
    { sub: "", clientId: CLIENT_ID },
  ),
  claimCase("no iss claim", "iss", missingClaim("iss"), { iss: undefined }),
  claimCase("iss of another issuer", "iss", WRONG_ISSUER, { iss: "https://evil.example.com" }),
  {
    name: "iss with a trailing slash (a different issuer, RFC 8414 §3.3)",
    rule: "iss",
    stack: "default",
    expected: WRONG_ISSUER,
    build: (f) =>
      bearer(issuerSigned(f, { claims: { iss: `${f.issuer.issuer}/` } }), f.issuerKid, VERIFIED),
  },
  {
    name: "iss with an upper-case scheme",
    rule: "iss",
    stack: "default",
    expected: WRONG_ISSUER,
    build: (f) =>
      bearer(
        issuerSigned(f, { claims: { iss: f.issuer.issuer.replace("http", "HTTP") } }),
        f.issuerKid,
        VERIFIED,
      ),
  },
  {
    name: "iss as an array containing the issuer",
    rule: "iss",
    stack: "default",
    expected: WRONG_ISSUER,
    build: (f) =>
      bearer(issuerSigned(f, { claims: { iss: [f.issuer.issuer] } }), f.issuerKid, VERIFIED),
  },
  claimCase("no aud claim", "aud", missingClaim("aud"), { aud: undefined }),
  claimCase("aud of another api", "aud", WRONG_AUDIENCE, { aud: "https://other.example.com" }),
  claimCase("aud array without ours", "aud", WRONG_AUDIENCE, {
    aud: ["https://other.example.com", "https://api.example.com/"],
  }),
  claimCase("aud empty array", "aud", WRONG_AUDIENCE, { aud: [] }),
  {
    name: "aud array with ours among others is accepted",
    rule: "aud",
    stack: "default",
    expected: accepted(),
    build: (f) =>
      bearer(
        issuerSigned(f, { claims: { aud: ["https://other.example.com", f.issuer.audience] } }),
        f.issuerKid,
        VERIFIED,
      ),
  },
  {
    name: "aud array with ours and a number",
    rule: "aud",
    stack: "default",
    expected: invalidClaim("aud"),
    build: (f) =>
      bearer(issuerSigned(f, { claims: { aud: [f.issuer.audience, 42] } }), f.issuerKid, VERIFIED),
  },
  claimCase("scope that is a number", "scopes", invalidClaim("scope"), { scope: 7 }),

  // --- tampering (RFC 7515 §5.2) ---
  {
    name: "payload tampered (sub changed), original signature kept",
    rule: "signature",
    stack: "default",
    expected: BAD_SIGNATURE,
    build: (f) => {
      const [header, , sig] = issuerSigned(f).split(".");
      const payload = b64url(JSON.stringify(claims("default", f, { sub: "admin@clients" })));
      return bearer(`${header}.${payload}.${sig}`, f.issuerKid);
    },
  },
  {
    name: "header tampered (typ changed), original signature kept",
    rule: "signature",
    stack: "default",
    expected: BAD_SIGNATURE,
    build: (f) => {
      const [, payload, sig] = issuerSigned(f).split(".");
      const header = b64url(JSON.stringify({ alg: "RS256", typ: "at+jwt", kid: f.issuerKid }));
      return bearer(`${header}.${payload}.${sig}`, f.issuerKid);
    },
  },
  {
    name: "signature with one character flipped in the middle",
    rule: "signature",
    stack: "default",
    expected: BAD_SIGNATURE,
    build: (f) => {
      const [header, payload, sig = ""] = issuerSigned(f).split(".");
      return bearer(`${header}.${payload}.${flipMiddle(sig)}`, f.issuerKid);
    },
  },
  {
    name: "signature whose last character is changed in its unused bits (non-canonical base64url)",
    rule: "canonical-encoding",
    stack: "default",
    expected: MALFORMED,
    build: (f) => {
      const [header, payload, sig = ""] = issuerSigned(f).split(".");
      return bearer(`${header}.${payload}.${sameBytesOtherLastChar(sig)}`, f.issuerKid);
    },
  },
  {
    name: 'signature with "==" padding appended',
    rule: "canonical-encoding",
    stack: "default",
    expected: MALFORMED,
    build: (f) => bearer(`${issuerSigned(f)}==`, f.issuerKid),
  },
  {
    name: "signature stripped (header.payload.)",
    rule: "signature",
    stack: "default",
    expected: BAD_SIGNATURE,
    build: (f) => {
      const [header, payload] = issuerSigned(f).split(".");
      return bearer(`${header}.${payload}.`, f.issuerKid);
    },
  },
  {
    name: "signature of another valid token spliced in",
    rule: "signature",
    stack: "default",
    expected: BAD_SIGNATURE,
    build: (f) => {
      const [header, payload] = issuerSigned(f).split(".");
      const [, , otherSig] = issuerSigned(f, { claims: { sub: "other@clients" } }).split(".");
      return bearer(`${header}.${payload}.${otherSig}`, f.issuerKid);
    },
  },

  // --- malformed tokens (RFC 7515 §7.1, RFC 7519 §7.2) ---
  {
    name: "two segments only",
    rule: "malformed",
    stack: "default",
    expected: MALFORMED,
    build: (f) => {
      const [header, payload] = issuerSigned(f).split(".");
      return bearer(`${header}.${payload}`, undefined);
    },
  },
  {
    name: "four segments",
    rule: "malformed",
    stack: "default",
    expected: MALFORMED,
    build: (f) => bearer(`${issuerSigned(f)}.AAAA`, undefined),
  },
  {
    name: "header segment that is not JSON",
    rule: "malformed",
    stack: "default",
    expected: MALFORMED,
    build: (f) =>
      bearer(
        craftToken({
          header: { json: "{alg:RS256" },
          payload: claims("default", f),
          key: f.issuerKey,
          signAs: "RS256",
        }),
        undefined,
      ),
  },
  {
    name: "header that is a JSON array",
    rule: "malformed",
    stack: "default",
    expected: MALFORMED,
    build: (f) =>
      bearer(
        craftToken({
          header: ["RS256", f.issuerKid],
          payload: claims("default", f),
          key: f.issuerKey,
          signAs: "RS256",
        }),
        undefined,
      ),
  },
  {
    name: "header that is invalid UTF-8",
    rule: "malformed",
    stack: "default",
    expected: MALFORMED,
    build: (f) =>
      bearer(
        craftToken({
          header: { encoded: b64url(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])) },
          payload: claims("default", f),
          key: f.issuerKey,
          signAs: "RS256",
        }),
        undefined,
      ),
  },
  {
    name: "payload that is not JSON, validly signed",
    rule: "malformed",
    stack: "default",
    expected: MALFORMED,
    build: (f) => bearer(rawClaimsToken(f, "sub=admin&exp=never"), f.issuerKid),
  },
  {
    name: "payload that is a JSON array, validly signed",
    rule: "malformed",
    stack: "default",
    expected: MALFORMED,
    build: (f) => bearer(rawClaimsToken(f, JSON.stringify([claims("default", f)])), f.issuerKid),
  },
  {
    name: "payload in standard base64 (+ and /) rather than base64url",
    rule: "canonical-encoding",
    stack: "default",
    expected: MALFORMED,
    build: (f) => {
      const [header, , sig] = issuerSigned(f).split(".");
      return bearer(`${header}.ab+/cd.${sig}`, f.issuerKid);
    },
  },

  // --- size: refused before any parsing ---
  {
    name: "8193 characters of garbage (over the 8192 default, refused before parsing)",
    rule: "token-length",
    stack: "default",
    expected: invalidToken("token_too_large", "Token is too large"),
    build: () => bearer(`${"a".repeat(4000)}.${"b".repeat(4000)}.${"c".repeat(191)}`, undefined),
  },
  {
    name: "a validly signed token of about 9000 characters",
    rule: "token-length",
    stack: "default",
    expected: invalidToken("token_too_large", "Token is too large"),
    build: (f) => bearer(issuerSigned(f, { claims: { pad: "x".repeat(6500) } }), undefined),
  },
  {
    name: "a validly signed token of exactly 8192 characters is accepted",
    rule: "token-length",
    stack: "default",
    expected: accepted(),
    build: (f) => bearer(tokenOfLength(f, 8192), f.issuerKid, VERIFIED),
  },

  // --- odd kid values (RFC 7515 §4.1.4: a string; selection from the key set only) ---
  ...(
    [
      ["a number", 123],
      ["an object", { $ne: null }],
      ["null", null],
    ] as const
  ).map(
    ([label, kid]): SecurityCase => ({
      name: `kid that is ${label}, signed by the issuer's key`,
      rule: "odd-kid",
      stack: "default",
      expected: UNKNOWN_KEY,
      build: (f) => bearer(issuerSigned(f, { header: { kid } }), undefined),
    }),
  ),
  ...(
    [
      ["empty", ""],
      ["a path", "../../../../etc/passwd"],
      ["__proto__", "__proto__"],
      // Logged cut to its first 128 characters, with a marker (logging/cap-log-text.ts).
      ["2000 characters long", "k".repeat(2000), `${"k".repeat(128)}…[cut 1872 chars]`],
      ["CR LF and quotes", '"}\r\nX-Injected: 1\r\n{"'],
      ["non-ASCII", "ключ-🔑"],
      ["an SQL fragment", "' OR '1'='1"],
    ] as const
  ).map(
    ([label, kid, logged]: readonly [string, string, string?]): SecurityCase => ({
      name: `kid that is ${label}, signed by the issuer's key`,
      rule: "odd-kid",
      stack: "default",
      expected: UNKNOWN_KEY,
      build: (f) => bearer(issuerSigned(f, { header: { kid } }), logged ?? kid),
    }),
  ),
  {
    name: "no kid, signed by the issuer's only key, is accepted (kid is optional)",
    rule: "odd-kid",
    stack: "default",
    expected: accepted(),
    build: (f) => bearer(issuerSigned(f, { header: { kid: undefined } }), undefined, VERIFIED),
  },

  // --- the Authorization header (RFC 6750 §2.1, §3.1) ---
  {
    name: "no Authorization header",
    rule: "no-credentials",
    stack: "default",
    expected: noCredentials(),
    build: () => ({ secrets: [] }),
  },
  {
    name: "an empty Authorization header",
    rule: "no-credentials",
    stack: "default",
    expected: noCredentials(),
    build: () => ({ authorization: "", secrets: [] }),
  },
  {
    name: "a valid token in the query string only (RFC 6750 §2.3 not supported)",
    rule: "no-query-token",
    stack: "default",
    expected: noCredentials(),
    build: (f) => {
      const token = issuerSigned(f);
      return { query: `?access_token=${token}`, secrets: secretsOf(token) };
    },
  },
  {
    name: "Basic scheme",
    rule: "malformed-header",
    stack: "default",
    expected: invalidRequest("Authorization scheme must be Bearer"),
    build: () => ({ authorization: "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=", secrets: [] }),
  },
  {
    name: 'a valid token under the "Token" scheme',
    rule: "malformed-header",
    stack: "default",
    expected: invalidRequest("Authorization scheme must be Bearer"),
    build: (f) => {
      const token = issuerSigned(f);
      return { authorization: `Token ${token}`, secrets: secretsOf(token) };
    },
  },
  {
    name: "a valid token with no scheme",
    rule: "malformed-header",
    stack: "default",
    expected: invalidRequest("Authorization scheme must be Bearer"),
    build: (f) => {
      const token = issuerSigned(f);
      return { authorization: token, secrets: secretsOf(token) };
    },
  },
  {
    name: '"Bearer" with no token',
    rule: "malformed-header",
    stack: "default",
    expected: invalidRequest("Bearer token is empty"),
    build: () => ({ authorization: "Bearer", secrets: [] }),
  },
  {
    name: "two tokens after one Bearer",
    rule: "malformed-header",
    stack: "default",
    expected: invalidRequest("Send exactly one Bearer token with no other characters"),
    build: (f) => {
      const token = issuerSigned(f);
      return { authorization: `Bearer ${token} ${token}`, secrets: secretsOf(token) };
    },
  },
  {
    name: "two Bearer credentials in one header, comma-separated",
    rule: "malformed-header",
    stack: "default",
    expected: invalidRequest("Send exactly one Bearer token with no other characters"),
    build: (f) => {
      const token = issuerSigned(f);
      return { authorization: `Bearer ${token}, Bearer ${token}`, secrets: secretsOf(token) };
    },
  },
  {
    name: "two Authorization header lines, the first with a valid token",
    rule: "malformed-header",
    stack: "default",
    expected: invalidRequest("Send exactly one Authorization header"),
    build: (f) => {
      const token = issuerSigned(f);
      return { authorization: [`Bearer ${token}`, "Bearer other"], secrets: secretsOf(token) };
    },
  },
  {
    name: "two Authorization header lines, both the same valid token",
    rule: "malformed-header",
    stack: "default",
    expected: invalidRequest("Send exactly one Authorization header"),
    build: (f) => {
      const token = issuerSigned(f);
      return { authorization: [`Bearer ${token}`, `Bearer ${token}`], secrets: secretsOf(token) };
    },
  },
  {
    name: "a tab between Bearer and the token",
    rule: "malformed-header",
    stack: "default",
    expected: invalidRequest("Send exactly one Bearer token with no other characters"),
    build: (f) => {
      const token = issuerSigned(f);
      return { authorization: `Bearer\t${token}`, secrets: secretsOf(token) };
    },
  },
  {
    name: "a token followed by a Latin-1 byte",
    rule: "malformed-header",
    stack: "default",
    expected: invalidRequest("Send exactly one Bearer token with no other characters"),
    build: (f) => {
      const token = issuerSigned(f);
      return { authorization: `Bearer ${token}\u00e9`, secrets: secretsOf(token) };
    },
  },
  ...(["bearer", "BEARER"] as const).map(
    (scheme): SecurityCase => ({
      name: `scheme spelled "${scheme}" is accepted (case-insensitive, RFC 9110 §11.1)`,
      rule: "malformed-header",
      stack: "default",
      expected: accepted(),
      build: (f) => {
        const token = issuerSigned(f);
        return { authorization: `${scheme} ${token}`, secrets: secretsOf(token) };
      },
    }),
  ),

  // --- a tenant configured by domain, several algorithms and audiences, a mixed key set ---
  ...(
    [
      ["RS256", "rsa"],
      ["PS256", "rsa"],
      ["ES256", "ec"],
      ["EdDSA", "ed"],
    ] as const
  ).map(
    ([alg, key]): SecurityCase => ({
      name: `${alg} signed by the tenant's ${key} key, allowed by AUTHACTION_ALGORITHMS`,
      rule: "alg-allow-list",
      stack: "tenant",
      expected: accepted(),
      build: (f) => {
        const pair = f.tenantKeys[key];
        return bearer(signedBy(pair, { alg, kid: pair.kid }, "tenant", f), pair.kid, VERIFIED);
      },
    }),
  ),
  {
    name: "RS384 signed by the tenant's RSA key (not in AUTHACTION_ALGORITHMS)",
    rule: "alg-allow-list",
    stack: "tenant",
    expected: ALG_REFUSED,
    build: (f) => {
      const pair = f.tenantKeys.rsa;
      return bearer(signedBy(pair, { alg: "RS384", kid: pair.kid }, "tenant", f), pair.kid);
    },
  },
  {
    name: "iss with the trailing slash: the other AuthAction spelling of a domain-derived issuer",
    rule: "iss",
    stack: "tenant",
    expected: accepted(),
    build: (f) => {
      const pair = f.tenantKeys.rsa;
      const token = signedBy(pair, { alg: "RS256", kid: pair.kid }, "tenant", f, {
        iss: `${TENANT_ISSUER}/`,
      });
      return bearer(token, pair.kid, VERIFIED);
    },
  },
  ...(
    [`${TENANT_ISSUER}//`, "http://tenant.example.com", "https://TENANT.example.com"] as const
  ).map(
    (iss): SecurityCase => ({
      name: `iss ${iss} for a domain-derived issuer`,
      rule: "iss",
      stack: "tenant",
      expected: WRONG_ISSUER,
      build: (f) => {
        const pair = f.tenantKeys.rsa;
        return bearer(
          signedBy(pair, { alg: "RS256", kid: pair.kid }, "tenant", f, { iss }),
          pair.kid,
          VERIFIED,
        );
      },
    }),
  ),
  {
    name: "aud of the second configured audience is accepted",
    rule: "aud",
    stack: "tenant",
    expected: accepted(),
    build: (f) => {
      const pair = f.tenantKeys.rsa;
      const token = signedBy(pair, { alg: "RS256", kid: pair.kid }, "tenant", f, {
        aud: ["https://other.example.com", TENANT_AUDIENCES[1]],
      });
      return bearer(token, pair.kid, VERIFIED);
    },
  },
  {
    name: "aud of none of the configured audiences",
    rule: "aud",
    stack: "tenant",
    expected: WRONG_AUDIENCE,
    build: (f) => {
      const pair = f.tenantKeys.rsa;
      const token = signedBy(pair, { alg: "RS256", kid: pair.kid }, "tenant", f, {
        aud: "https://other.example.com",
      });
      return bearer(token, pair.kid, VERIFIED);
    },
  },
  {
    name: "ES256 naming the tenant's RSA kid (key type does not match the algorithm)",
    rule: "key-type",
    stack: "tenant",
    expected: UNKNOWN_KEY,
    build: (f) =>
      bearer(
        signedBy(f.tenantKeys.ec, { alg: "ES256", kid: f.tenantKeys.rsa.kid }, "tenant", f),
        f.tenantKeys.rsa.kid,
      ),
  },
  {
    name: "RS256 naming the tenant's EC kid (key type does not match the algorithm)",
    rule: "key-type",
    stack: "tenant",
    expected: UNKNOWN_KEY,
    build: (f) =>
      bearer(
        signedBy(f.tenantKeys.rsa, { alg: "RS256", kid: f.tenantKeys.ec.kid }, "tenant", f),
        f.tenantKeys.ec.kid,
      ),
  },
  {
    name: "EdDSA naming the tenant's EC kid (key type does not match the algorithm)",
    rule: "key-type",
    stack: "tenant",
    expected: UNKNOWN_KEY,
    build: (f) =>
      bearer(
        signedBy(f.tenantKeys.ed, { alg: "EdDSA", kid: f.tenantKeys.ec.kid }, "tenant", f),
        f.tenantKeys.ec.kid,
      ),
  },
  ...(
    [
      ["published with use: enc", "encryption"],
      ['published with key_ops ["sign"] (no verify)', "signOnly"],
      ["published with alg RS512, used for RS256", "rs512Only"],
      ["of only 1024 bits (RSA)", "weak"],
      ["published with its private part", "leaked"],
    ] as const
  ).map(
    ([label, key]): SecurityCase => ({
      name: `RS256 signed by the tenant's key ${label}`,
      rule: "key-screening",
      stack: "tenant",
      expected: UNKNOWN_KEY,
      build: (f) => {
        const pair = f.tenantKeys[key];
        return bearer(signedBy(pair, { alg: "RS256", kid: pair.kid }, "tenant", f), pair.kid);
      },
    }),
  ),
  {
    name: "HS256 with the symmetric key the tenant published (kty oct)",
    rule: "no-hmac",
    stack: "tenant",
    expected: ALG_REFUSED,
    build: (f) =>
      bearer(
        craftToken({
          header: { alg: "HS256", typ: "JWT", kid: "tenant-oct" },
          payload: claims("tenant", f),
          key: f.tenantKeys.octSecret,
        }),
        "tenant-oct",
      ),
  },
  {
    name: "RS256 naming the tenant's oct kid",
    rule: "key-screening",
    stack: "tenant",
    expected: UNKNOWN_KEY,
    build: (f) =>
      bearer(
        signedBy(f.attacker.rsa, { alg: "RS256", kid: "tenant-oct" }, "tenant", f),
        "tenant-oct",
      ),
  },
  {
    name: "ES256 signed by an attacker's EC key claiming the tenant's EC kid",
    rule: "key-from-key-set",
    stack: "tenant",
    expected: BAD_SIGNATURE,
    build: (f) =>
      bearer(
        signedBy(f.attacker.ec, { alg: "ES256", kid: f.tenantKeys.ec.kid }, "tenant", f),
        f.tenantKeys.ec.kid,
      ),
  },
  {
    name: "PS256 signed by an attacker's RSA key claiming the tenant's RSA kid",
    rule: "key-from-key-set",
    stack: "tenant",
    expected: BAD_SIGNATURE,
    build: (f) =>
      bearer(
        signedBy(f.attacker.rsa, { alg: "PS256", kid: f.tenantKeys.rsa.kid }, "tenant", f),
        f.tenantKeys.rsa.kid,
      ),
  },

  // --- RFC 9068 explicit typing, opt-in with AUTHACTION_REQUIRE_AT_JWT=true ---
  ...(["at+jwt", "application/at+jwt", "AT+JWT"] as const).map(
    (typ): SecurityCase => ({
      name: `typ "${typ}" when at+jwt is required`,
      rule: "at-jwt",
      stack: "at+jwt",
      expected: accepted(),
      build: (f) => bearer(issuerSigned(f, { header: { typ } }), f.issuerKid, VERIFIED),
    }),
  ),
  ...(
    [
      ["JWT", "JWT"],
      ["absent", undefined],
      ["jwt+at", "jwt+at"],
    ] as const
  ).map(
    ([label, typ]): SecurityCase => ({
      name: `typ ${label} when at+jwt is required`,
      rule: "at-jwt",
      stack: "at+jwt",
      expected: invalidToken("wrong_type", "Token type must be at+jwt"),
      build: (f) => bearer(issuerSigned(f, { header: { typ } }), f.issuerKid, VERIFIED),
    }),
  ),
  {
    name: "a token from the issuer's real token endpoint (typ JWT) when at+jwt is required",
    rule: "at-jwt",
    stack: "at+jwt",
    expected: invalidToken("wrong_type", "Token type must be at+jwt"),
    build: async (f) => bearer(await f.issuer.signToken(), f.issuerKid, VERIFIED),
  },
];

/** An issuer-signed token of exactly `length` characters, grown with a padding claim. */
function tokenOfLength(f: Fixture, length: number): string {
  // base64url grows by 4 characters per 3 bytes, so some lengths also need a longer header.
  const payload = claims("default", f);
  const signatureLength = issuerSigned(f).split(".")[2]?.length ?? 0;
  for (let extra = 0; extra < 4; extra++) {
    const header = { alg: "RS256", typ: "JWT", kid: f.issuerKid, x: "y".repeat(extra) };
    for (let pad = 0; pad < length; pad++) {
      const unsigned = craftToken({ header, payload: { ...payload, pad: "p".repeat(pad) } });
      const total = unsigned.length + signatureLength;
      if (total === length) {
        return craftToken({
          header,
          payload: { ...payload, pad: "p".repeat(pad) },
          key: f.issuerKey,
        });
      }
      if (total > length) break;
    }
  }
  throw new Error(`could not build a token of exactly ${length} characters`);
}

/** The tRPC error code each refusal status maps to. */
export const TRPC_CODE = { 400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN" } as const;
