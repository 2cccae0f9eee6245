import type { AuthErrorCode } from "@repo/auth/server";
import { b64url, craftToken, publicPem, type SigningAlg, type TestKeyPair } from "./craft-token.ts";
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
 * The security table: every row is one request built from real keys, with the status, the exact
 * WWW-Authenticate challenge and the AuthError code it must produce. Each row runs against both
 * /trpc/protected and the REST /protected, in-process (security-token-table.test.ts) and against
 * the real entry point (security-entry-point.test.ts). docs/security.md maps each rule to its rows.
 *
 * A row is data: its name, what it must produce, and what its request looks like; the rule's
 * builder (`token` for what the token holds, `oversized` for its length, `request` for the
 * Authorization header itself) makes the request. Adding a case is adding a row.
 */
export interface Expected {
  readonly status: 200 | 400 | 401;
  /** The AuthError code: tRPC `data.reason`, REST `error`, and the log's `reason`. */
  readonly reason?: AuthErrorCode;
  /** The safe text: tRPC `message`, REST `message`, and the challenge's error_description. */
  readonly description?: string;
  /** The exact WWW-Authenticate value; undefined when the request is accepted. */
  readonly challenge?: string;
  /** sub and client_id as the refusal log must show them: only once the signature verified. */
  readonly logged?: Logged;
}

export interface Logged {
  readonly sub?: string;
  readonly clientId?: string;
}

export interface Sent {
  /** One Authorization value, several (several header lines), or none. */
  readonly authorization?: string | readonly string[];
  /** Appended to the path, e.g. `?access_token=...`. */
  readonly query?: string;
  /** The kid the refusal log must name (undefined: none can be read from the token). */
  readonly kid?: string;
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

// --- what a row must produce ---

const REALM = 'Bearer realm="api"';

const accepted: Expected = { status: 200 };

const noCredentials: Expected = {
  status: 401,
  reason: "missing_token",
  description: "Authorization header required",
  challenge: REALM,
};

const invalidRequest = (description: string): Expected => ({
  status: 400,
  reason: "invalid_request",
  description,
  challenge: `${REALM}, error="invalid_request", error_description="${description}"`,
});

const invalidToken = (reason: AuthErrorCode, description: string): Expected => ({
  status: 401,
  reason,
  description,
  challenge: `${REALM}, error="invalid_token", error_description="${description}"`,
});

/** What a refusal after a valid signature logs about the caller. */
const VERIFIED: Logged = { sub: SUBJECT, clientId: CLIENT_ID };

/** A refusal that comes once the signature verified: the log names the caller too. */
const afterSignature = (expected: Expected, logged: Logged = VERIFIED): Expected => ({
  ...expected,
  logged,
});

const ALG_REFUSED = invalidToken("unsupported_algorithm", "Token algorithm is not accepted");
const UNKNOWN_KEY = invalidToken("unknown_key", "Token signing key is not known");
const BAD_SIGNATURE = invalidToken("bad_signature", "Token signature is invalid");
const MALFORMED = invalidToken("malformed_token", "Token is malformed");
const UNSUPPORTED_FEATURE = invalidToken("malformed_token", "Token uses an unsupported feature");
const TOO_LARGE = invalidToken("token_too_large", "Token is too large");
const EXPIRED = afterSignature(invalidToken("expired", "Token has expired"));
const NOT_YET_VALID = afterSignature(invalidToken("not_yet_valid", "Token is not valid yet"));
const WRONG_ISSUER = afterSignature(invalidToken("wrong_issuer", "Token issuer is not accepted"));
const WRONG_AUDIENCE = afterSignature(
  invalidToken("wrong_audience", "Token audience is not accepted"),
);
const WRONG_TYPE = afterSignature(invalidToken("wrong_type", "Token type must be at+jwt"));
const missingClaim = (claim: string, logged?: Logged) =>
  afterSignature(invalidToken("missing_claim", `Token has no ${claim} claim`), logged);
const invalidClaim = (claim: string, logged?: Logged) =>
  afterSignature(invalidToken("invalid_claim", `Token ${claim} claim is invalid`), logged);
const claimOutOfRange = (claim: string) =>
  afterSignature(invalidToken("invalid_claim", `Token ${claim} claim is out of range`));
const MULTIPLE_TOKENS = invalidRequest("Send exactly one Bearer token with no other characters");
const NOT_BEARER = invalidRequest("Authorization scheme must be Bearer or DPoP");

// --- what a row's request looks like ---

/** A value read from the fixture when the request is built (a kid, a URL, the issuer). */
type FromFixture<T> = (f: Fixture) => T;
/** Header or claim members: a value, one read from the fixture, or `undefined` to leave it out. */
type Members = Readonly<Record<string, unknown>>;
/** JSON text that goes into a payload exactly as written (1e309 stays 1e309). */
class RawJson {
  constructor(readonly text: string) {}
}

type KeyName =
  | "issuer"
  | `attacker.${keyof Fixture["attacker"]}`
  | `tenant.${Exclude<keyof Fixture["tenantKeys"], "octSecret">}`;
/** HMAC secrets made of what is public, and the symmetric key the tenant published. */
type HmacSecret = "issuer PEM" | "issuer JWK JSON" | "issuer modulus" | "tenant oct";

/** How the `token` builder makes a token: every field is optional and says what differs. */
interface TokenSpec {
  /**
   * Who signs: a key (default: the stack's own, the issuer's or the tenant's RSA key), "nobody"
   * (an empty signature), or an HMAC secret.
   */
  readonly by?: KeyName | "nobody" | HmacSecret;
  /**
   * Header members over { alg: "RS256", typ: "JWT", kid: the signing key's (or the stack key's)
   * kid }, or a whole header segment (raw JSON text, a JSON array, encoded bytes).
   */
  readonly header?: Members | { readonly json: string } | { readonly encoded: string } | unknown[];
  /** Claims over the stack's valid ones (an hour of life), or a whole payload. */
  readonly claims?: Members | FromFixture<unknown[]> | RawJson;
  /** The algorithm to sign with when the header's alg is none (a wrong case, a number, absent). */
  readonly signAs?: SigningAlg;
  /** A change made to the signed token's segments (tampering, odd encodings). */
  readonly edit?: (token: TokenParts, f: Fixture) => string;
  /** The kid the log names when it is not the header's (a kid it cuts). */
  readonly loggedKid?: string;
}

interface TokenParts {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
  /** The whole signed token. */
  readonly token: string;
}

/** The Authorization header lines (or query) a `request` row sends, made from a valid token. */
interface RequestSpec {
  readonly authorization?: (token: string) => string | readonly string[];
  readonly query?: (token: string) => string;
}

/** The kid of `name`, read from the fixture. */
const kid =
  (name: KeyName | "tenant.oct"): FromFixture<string> =>
  (f) =>
    name === "tenant.oct" ? "tenant-oct" : keyPair(f, name).kid;

/** Seconds since the epoch, `offset` from when the request is built. */
const inSeconds =
  (offset: number): FromFixture<number> =>
  () =>
    Math.floor(Date.now() / 1000) + offset;

/** `text` as a payload member, written exactly so. */
const raw = (text: string) => new RawJson(text);

function keyPair(f: Fixture, name: KeyName): Pick<TestKeyPair, "kid" | "privateKey"> {
  if (name === "issuer") return { kid: f.issuerKid, privateKey: f.issuerKey };
  const [group, key] = name.split(".") as ["attacker" | "tenant", string];
  return group === "attacker"
    ? f.attacker[key as keyof Fixture["attacker"]]
    : (f.tenantKeys[key as keyof Fixture["tenantKeys"]] as TestKeyPair);
}

function hmacSecret(f: Fixture, secret: HmacSecret): Uint8Array {
  const bytes = {
    "issuer PEM": () => Buffer.from(publicPem(f.issuerJwk)),
    "issuer JWK JSON": () => Buffer.from(JSON.stringify(f.issuerJwk)),
    "issuer modulus": () => Buffer.from(String(f.issuerJwk.n), "base64url"),
    "tenant oct": () => Buffer.from(f.tenantKeys.octSecret),
  }[secret]();
  return new Uint8Array(bytes);
}

/** Members with fixture values read (`undefined` ones stay, for JSON and `claims` to leave out). */
function resolve(f: Fixture, members: Members): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(members)) {
    resolved[name] = typeof value === "function" ? (value as FromFixture<unknown>)(f) : value;
  }
  return resolved;
}

/** Claims as JSON text, RawJson members written as they are. */
function claimsJson(claimSet: Record<string, unknown>): string {
  const raws: string[] = [];
  const json = JSON.stringify(claimSet, (_name, value: unknown) => {
    if (!(value instanceof RawJson)) return value;
    raws.push(value.text);
    return `\u0000raw${raws.length - 1}`;
  });
  return json.replace(/"\\u0000raw(\d+)"/g, (_match, i: string) => raws[Number(i)] ?? "");
}

/** The kid a verifier can read from a token: three segments, a JSON object header, a string kid. */
function readableKid(token: string): string | undefined {
  const segments = token.split(".");
  if (segments.length !== 3) return undefined;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(
      Buffer.from(segments[0] ?? "", "base64url"),
    );
    const header = JSON.parse(text) as unknown;
    if (typeof header !== "object" || header === null || Array.isArray(header)) return undefined;
    const value = (header as { kid?: unknown }).kid;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The token and its signature segment (when long enough to be recognisable). */
function secretsOf(token: string): string[] {
  const signature = token.split(".")[2] ?? "";
  return signature.length >= 16 ? [token, signature] : [token];
}

/** A bearer request for `token`; the log must name the kid a verifier can read from it. */
function bearer(token: string, loggedKid = readableKid(token)): Sent {
  return { authorization: `Bearer ${token}`, kid: loggedKid, secrets: secretsOf(token) };
}

/** The token a spec describes, signed for `stack`. */
function makeToken(f: Fixture, spec: TokenSpec, stack: StackKind): string {
  const by = spec.by ?? (stack === "tenant" ? "tenant.rsa" : "issuer");
  const stackKid = stack === "tenant" ? f.tenantKeys.rsa.kid : f.issuerKid;
  const pair = by === "nobody" || !isKeyName(by) ? undefined : keyPair(f, by);
  const key =
    by === "nobody" ? undefined : pair ? pair.privateKey : hmacSecret(f, by as HmacSecret);
  const header =
    spec.header === undefined || isMembers(spec.header)
      ? resolve(f, { alg: "RS256", typ: "JWT", kid: pair?.kid ?? stackKid, ...spec.header })
      : Array.isArray(spec.header)
        ? spec.header.map((value) =>
            typeof value === "function" ? (value as FromFixture<unknown>)(f) : value,
          )
        : spec.header;
  const payload =
    spec.claims instanceof RawJson
      ? { json: spec.claims.text }
      : typeof spec.claims === "function"
        ? spec.claims(f)
        : { json: claimsJson(claims(stack, f, resolve(f, spec.claims ?? {}))) };
  const signed = craftToken({
    header,
    payload,
    ...(key === undefined ? {} : { key }),
    ...(spec.signAs === undefined ? {} : { signAs: spec.signAs }),
  });
  if (spec.edit === undefined) return signed;
  const [h = "", p = "", s = ""] = signed.split(".");
  return spec.edit({ header: h, payload: p, signature: s, token: signed }, f);
}

function isKeyName(by: string): by is KeyName {
  return by === "issuer" || by.startsWith("attacker.") || by.startsWith("tenant.");
}

function isMembers(header: NonNullable<TokenSpec["header"]>): header is Members {
  return !Array.isArray(header) && !("json" in header) && !("encoded" in header);
}

// --- the builders, one per rule ---

type Builder<Spec> = (f: Fixture, spec: Spec, stack: StackKind) => Sent | Promise<Sent>;

/** A row's token: what differs from a valid one, or the whole token, made elsewhere. */
type TokenRow = TokenSpec | FromFixture<string | Promise<string>>;

/** What the token holds: its header, its claims, who signed it, how it was changed after. */
const token: Builder<TokenRow> = async (f, spec, stack) =>
  typeof spec === "function"
    ? bearer(await spec(f))
    : bearer(makeToken(f, spec, stack), spec.loggedKid);

/** A token over the length limit is refused before it is parsed: no kid can be logged. */
const oversized: Builder<TokenRow> = async (f, spec, stack) => ({
  ...(await token(f, spec, stack)),
  kid: undefined,
});

/** The Authorization header itself (or a query string), around a valid token. */
const request: Builder<RequestSpec> = (f, spec) => {
  const valid = issuerSigned(f);
  return {
    ...(spec.authorization === undefined ? {} : { authorization: spec.authorization(valid) }),
    ...(spec.query === undefined ? {} : { query: spec.query(valid) }),
    secrets: secretsOf(valid),
  };
};

/** A row: its name, what it must produce, and what its rule's builder makes the request from. */
type Row<Spec> = readonly [name: string, expected: Expected, spec: Spec];

function rule<Spec>(
  name: string,
  stack: StackKind,
  build: Builder<Spec>,
  rows: ReadonlyArray<Row<Spec>>,
): SecurityCase[] {
  return rows.map(([rowName, expected, spec]) => ({
    name: rowName,
    rule: name,
    stack,
    expected,
    build: (f) => build(f, spec, stack),
  }));
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

const ISSUER = (f: Fixture) => f.issuer.issuer;
const TRAP = (path: string) => (f: Fixture) => `${f.trap.url}${path}`;

export const CASES: readonly SecurityCase[] = [
  // --- algorithm: allow-list only (RFC 8725 §3.1-3.2, RFC 7518 §3.6) ---
  ...rule("alg-allow-list", "default", token, [
    ['alg "none" with an empty signature', ALG_REFUSED, { by: "nobody", header: { alg: "none" } }],
    ['alg "None" with an empty signature', ALG_REFUSED, { by: "nobody", header: { alg: "None" } }],
    ['alg "NONE" with an empty signature', ALG_REFUSED, { by: "nobody", header: { alg: "NONE" } }],
    ['alg "nOnE" with an empty signature', ALG_REFUSED, { by: "nobody", header: { alg: "nOnE" } }],
    [
      'alg "none" with a signature segment copied from a valid token',
      ALG_REFUSED,
      {
        by: "nobody",
        header: { alg: "none", typ: undefined },
        edit: (t, f) => `${t.token}${issuerSigned(f).split(".")[2]}`,
      },
    ],
    [
      "PS256 signed by the issuer's own key (outside the default RS256 allow-list)",
      ALG_REFUSED,
      { header: { alg: "PS256" } },
    ],
    [
      "RS384 signed by the issuer's own key (outside the default RS256 allow-list)",
      ALG_REFUSED,
      { header: { alg: "RS384" } },
    ],
    [
      "RS512 signed by the issuer's own key (outside the default RS256 allow-list)",
      ALG_REFUSED,
      { header: { alg: "RS512" } },
    ],
    [
      'alg "rs256" (wrong case) signed RS256 by the issuer\'s key',
      ALG_REFUSED,
      { header: { alg: "rs256" }, signAs: "RS256" },
    ],
    [
      "ES256 signed by an attacker's EC key, claiming the issuer's kid",
      ALG_REFUSED,
      { by: "attacker.ec", header: { alg: "ES256", kid: kid("issuer") } },
    ],
    [
      "EdDSA signed by an attacker's Ed25519 key, claiming the issuer's kid",
      ALG_REFUSED,
      { by: "attacker.ed", header: { alg: "EdDSA", kid: kid("issuer") } },
    ],
    ["no alg header at all", MALFORMED, { header: { alg: undefined }, signAs: "RS256" }],
    ["alg that is a number", MALFORMED, { header: { alg: 256 }, signAs: "RS256" }],
  ]),
  ...rule("alg-allow-list", "tenant", token, [
    [
      "RS256 signed by the tenant's rsa key, allowed by AUTHACTION_ALGORITHMS",
      accepted,
      { by: "tenant.rsa", header: { alg: "RS256" } },
    ],
    [
      "PS256 signed by the tenant's rsa key, allowed by AUTHACTION_ALGORITHMS",
      accepted,
      { by: "tenant.rsa", header: { alg: "PS256" } },
    ],
    [
      "ES256 signed by the tenant's ec key, allowed by AUTHACTION_ALGORITHMS",
      accepted,
      { by: "tenant.ec", header: { alg: "ES256" } },
    ],
    [
      "EdDSA signed by the tenant's ed key, allowed by AUTHACTION_ALGORITHMS",
      accepted,
      { by: "tenant.ed", header: { alg: "EdDSA" } },
    ],
    [
      "RS384 signed by the tenant's RSA key (not in AUTHACTION_ALGORITHMS)",
      ALG_REFUSED,
      { by: "tenant.rsa", header: { alg: "RS384" } },
    ],
  ]),

  // --- HMAC never: the public key is no secret (RFC 8725 §2.1, §3.1-3.2) ---
  ...rule("no-hmac", "default", token, [
    [
      "HS256 signed with the issuer's public key as PEM text (RS256 → HS256 confusion)",
      ALG_REFUSED,
      { by: "issuer PEM", header: { alg: "HS256" } },
    ],
    [
      "HS256 signed with the issuer's public JWK (JSON text) as the secret",
      ALG_REFUSED,
      { by: "issuer JWK JSON", header: { alg: "HS256" } },
    ],
    [
      "HS512 signed with the issuer's modulus bytes as the secret",
      ALG_REFUSED,
      { by: "issuer modulus", header: { alg: "HS512" } },
    ],
  ]),
  ...rule("no-hmac", "tenant", token, [
    [
      "HS256 with the symmetric key the tenant published (kty oct)",
      ALG_REFUSED,
      { by: "tenant oct", header: { alg: "HS256", kid: kid("tenant.oct") } },
    ],
  ]),

  // --- keys come from the configured key set only, selected by kid (RFC 8725 §3.10) ---
  ...rule("key-from-key-set", "default", token, [
    [
      "RS256 signed by an attacker's key claiming the issuer's kid",
      BAD_SIGNATURE,
      { by: "attacker.rsa", header: { kid: kid("issuer") } },
    ],
    ["RS256 signed by an attacker's key with an unknown kid", UNKNOWN_KEY, { by: "attacker.rsa" }],
    [
      "RS256 signed by an attacker's key with no kid",
      BAD_SIGNATURE,
      { by: "attacker.rsa", header: { kid: undefined } },
    ],
  ]),
  ...rule("key-from-key-set", "tenant", token, [
    [
      "ES256 signed by an attacker's EC key claiming the tenant's EC kid",
      BAD_SIGNATURE,
      { by: "attacker.ec", header: { alg: "ES256", kid: kid("tenant.ec") } },
    ],
    [
      "PS256 signed by an attacker's RSA key claiming the tenant's RSA kid",
      BAD_SIGNATURE,
      { by: "attacker.rsa", header: { alg: "PS256", kid: kid("tenant.rsa") } },
    ],
  ]),
  ...rule("no-header-keys", "default", token, [
    [
      "embedded jwk header holding the attacker's public key, attacker kid",
      UNKNOWN_KEY,
      { by: "attacker.rsa", header: { jwk: (f: Fixture) => f.attacker.rsa.publicJwk } },
    ],
    [
      "embedded jwk header holding the attacker's public key, issuer's kid",
      BAD_SIGNATURE,
      {
        by: "attacker.rsa",
        header: { kid: kid("issuer"), jwk: (f: Fixture) => f.attacker.rsa.publicJwk },
      },
    ],
    [
      "jku header pointing at a server that publishes the attacker's key",
      UNKNOWN_KEY,
      { by: "attacker.rsa", header: { jku: TRAP("/jku") } },
    ],
    [
      "jku header pointing at the attacker's server, issuer's kid",
      BAD_SIGNATURE,
      { by: "attacker.rsa", header: { kid: kid("issuer"), jku: TRAP("/jku") } },
    ],
    [
      "x5u header pointing at the attacker's server",
      UNKNOWN_KEY,
      { by: "attacker.rsa", header: { x5u: TRAP("/x5u.pem") } },
    ],
    [
      "x5c header with a certificate chain, issuer's kid, attacker's signature",
      BAD_SIGNATURE,
      {
        by: "attacker.rsa",
        header: {
          kid: kid("issuer"),
          x5c: [Buffer.from("not really DER").toString("base64")],
          x5t: "AAAA",
        },
      },
    ],
  ]),

  // --- crit and b64 (RFC 7515 §4.1.11, RFC 7797 §6, RFC 7519 §7.2) ---
  ...rule("crit", "default", token, [
    [
      'crit ["exp"] with an exp header, signed by the issuer',
      UNSUPPORTED_FEATURE,
      { header: { crit: ["exp"], exp: inSeconds(60) } },
    ],
    [
      "crit naming an unknown extension, signed by the issuer",
      UNSUPPORTED_FEATURE,
      { header: { crit: ["urn:example:must-check"], "urn:example:must-check": 1 } },
    ],
    ["crit that is an empty array", MALFORMED, { header: { crit: [] } }],
  ]),
  ...rule("b64", "default", token, [
    // RFC 7797: the signing input is header "." payload bytes. Using the base64url text of the
    // claims as the unencoded payload gives the same signing input as an ordinary JWT, so a
    // verifier that ignored b64 would accept these claims.
    [
      'b64: false with crit ["b64"], signature valid over the encoded claims',
      UNSUPPORTED_FEATURE,
      { header: { typ: undefined, b64: false, crit: ["b64"] } },
    ],
    [
      "b64: false without crit, signed by the issuer",
      UNSUPPORTED_FEATURE,
      { header: { b64: false } },
    ],
  ]),

  // --- claims (RFC 7519 §4.1, RFC 9068 §2.2, RFC 8725 §3.8-3.9) ---
  ...rule("exp", "default", token, [
    ["expired an hour ago", EXPIRED, { claims: { iat: inSeconds(-7200), exp: inSeconds(-3600) } }],
    ["expired 30 s ago (beyond the 5 s tolerance)", EXPIRED, { claims: { exp: inSeconds(-30) } }],
    ["no exp claim", missingClaim("exp"), { claims: { exp: undefined } }],
    [
      "exp as a string",
      invalidClaim("exp"),
      { claims: { exp: (f: Fixture) => String(inSeconds(3600)(f)) } },
    ],
    ["exp null", invalidClaim("exp"), { claims: { exp: null } }],
    [
      "exp 1e309 (parses to Infinity: a token that never expires)",
      invalidClaim("exp"),
      { claims: { exp: raw("1e309") } },
    ],
    // From 8.64e12 s a Date is Invalid: an exp there never passed (cached and streamed for ever).
    ["exp 8.64e12 (past year 9999)", claimOutOfRange("exp"), { claims: { exp: 8.64e12 } }],
    ["exp one second past year 9999", claimOutOfRange("exp"), { claims: { exp: 253_402_300_800 } }],
  ]),
  ...rule("nbf-iat", "default", token, [
    ["nbf past year 9999", claimOutOfRange("nbf"), { claims: { nbf: 253_402_300_800 } }],
    ["iat past year 9999", claimOutOfRange("iat"), { claims: { iat: 8.64e12 } }],
    ["nbf an hour ahead", NOT_YET_VALID, { claims: { nbf: inSeconds(3600) } }],
    ["nbf as a string", invalidClaim("nbf"), { claims: { nbf: "yesterday" } }],
    ["iat an hour ahead", invalidClaim("iat"), { claims: { iat: inSeconds(3600) } }],
    ["iat as a string", invalidClaim("iat"), { claims: { iat: "now" } }],
  ]),
  ...rule("sub", "default", token, [
    ["no sub claim", missingClaim("sub", { clientId: CLIENT_ID }), { claims: { sub: undefined } }],
    ["sub that is a number", invalidClaim("sub", { clientId: CLIENT_ID }), { claims: { sub: 42 } }],
    [
      "sub that is empty",
      invalidClaim("sub", { sub: "", clientId: CLIENT_ID }),
      { claims: { sub: "" } },
    ],
  ]),
  ...rule("iss", "default", token, [
    ["no iss claim", missingClaim("iss"), { claims: { iss: undefined } }],
    ["iss of another issuer", WRONG_ISSUER, { claims: { iss: "https://evil.example.com" } }],
    [
      "iss with a trailing slash (a different issuer, RFC 8414 §3.3)",
      WRONG_ISSUER,
      { claims: { iss: (f: Fixture) => `${ISSUER(f)}/` } },
    ],
    [
      "iss with an upper-case scheme",
      WRONG_ISSUER,
      { claims: { iss: (f: Fixture) => ISSUER(f).replace("http", "HTTP") } },
    ],
    [
      "iss as an array containing the issuer",
      WRONG_ISSUER,
      { claims: { iss: (f: Fixture) => [ISSUER(f)] } },
    ],
  ]),
  ...rule("iss", "tenant", token, [
    [
      "iss with the trailing slash: the other AuthAction spelling of a domain-derived issuer",
      accepted,
      { claims: { iss: `${TENANT_ISSUER}/` } },
    ],
    [
      `iss ${TENANT_ISSUER}// for a domain-derived issuer`,
      WRONG_ISSUER,
      { claims: { iss: `${TENANT_ISSUER}//` } },
    ],
    [
      "iss http://tenant.example.com for a domain-derived issuer",
      WRONG_ISSUER,
      { claims: { iss: "http://tenant.example.com" } },
    ],
    [
      "iss https://TENANT.example.com for a domain-derived issuer",
      WRONG_ISSUER,
      { claims: { iss: "https://TENANT.example.com" } },
    ],
  ]),
  ...rule("aud", "default", token, [
    ["no aud claim", missingClaim("aud"), { claims: { aud: undefined } }],
    ["aud of another api", WRONG_AUDIENCE, { claims: { aud: "https://other.example.com" } }],
    [
      "aud array without ours",
      WRONG_AUDIENCE,
      { claims: { aud: ["https://other.example.com", "https://api.example.com/"] } },
    ],
    ["aud empty array", WRONG_AUDIENCE, { claims: { aud: [] } }],
    [
      "aud array with ours among others is accepted",
      accepted,
      { claims: { aud: (f: Fixture) => ["https://other.example.com", f.issuer.audience] } },
    ],
    [
      "aud array with ours and a number",
      invalidClaim("aud"),
      { claims: { aud: (f: Fixture) => [f.issuer.audience, 42] } },
    ],
  ]),
  ...rule("aud", "tenant", token, [
    [
      "aud of the second configured audience is accepted",
      accepted,
      { claims: { aud: ["https://other.example.com", TENANT_AUDIENCES[1]] } },
    ],
    [
      "aud of none of the configured audiences",
      WRONG_AUDIENCE,
      { claims: { aud: "https://other.example.com" } },
    ],
  ]),
  ...rule("scopes", "default", token, [
    ["scope that is a number", invalidClaim("scope"), { claims: { scope: 7 } }],
  ]),

  // --- tampering (RFC 7515 §5.2) ---
  ...rule("signature", "default", token, [
    [
      "payload tampered (sub changed), original signature kept",
      BAD_SIGNATURE,
      {
        edit: (t, f) =>
          `${t.header}.${b64url(JSON.stringify(claims("default", f, { sub: "admin@clients" })))}.${t.signature}`,
      },
    ],
    [
      "header tampered (typ changed), original signature kept",
      BAD_SIGNATURE,
      {
        edit: (t, f) =>
          `${b64url(JSON.stringify({ alg: "RS256", typ: "at+jwt", kid: f.issuerKid }))}.${t.payload}.${t.signature}`,
      },
    ],
    [
      "signature with one character flipped in the middle",
      BAD_SIGNATURE,
      { edit: (t) => `${t.header}.${t.payload}.${flipMiddle(t.signature)}` },
    ],
    [
      "signature stripped (header.payload.)",
      BAD_SIGNATURE,
      { edit: (t) => `${t.header}.${t.payload}.` },
    ],
    [
      "signature of another valid token spliced in",
      BAD_SIGNATURE,
      {
        edit: (t, f) =>
          `${t.header}.${t.payload}.${issuerSigned(f, { claims: { sub: "other@clients" } }).split(".")[2]}`,
      },
    ],
  ]),
  ...rule("canonical-encoding", "default", token, [
    [
      "signature whose last character is changed in its unused bits (non-canonical base64url)",
      MALFORMED,
      { edit: (t) => `${t.header}.${t.payload}.${sameBytesOtherLastChar(t.signature)}` },
    ],
    ['signature with "==" padding appended', MALFORMED, { edit: (t) => `${t.token}==` }],
    [
      "payload in standard base64 (+ and /) rather than base64url",
      MALFORMED,
      { edit: (t) => `${t.header}.ab+/cd.${t.signature}` },
    ],
  ]),

  // --- malformed tokens (RFC 7515 §7.1, RFC 7519 §7.2) ---
  ...rule("malformed", "default", token, [
    ["two segments only", MALFORMED, { edit: (t) => `${t.header}.${t.payload}` }],
    ["four segments", MALFORMED, { edit: (t) => `${t.token}.AAAA` }],
    [
      "header segment that is not JSON",
      MALFORMED,
      { header: { json: "{alg:RS256" }, signAs: "RS256" },
    ],
    [
      "header that is a JSON array",
      MALFORMED,
      { header: ["RS256", kid("issuer")], signAs: "RS256" },
    ],
    [
      "header that is invalid UTF-8",
      MALFORMED,
      { header: { encoded: b64url(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])) }, signAs: "RS256" },
    ],
    ["payload that is not JSON, validly signed", MALFORMED, { claims: raw("sub=admin&exp=never") }],
    [
      "payload that is a JSON array, validly signed",
      MALFORMED,
      { claims: (f: Fixture) => [claims("default", f)] },
    ],
  ]),

  // --- size: refused before any parsing ---
  ...rule("token-length", "default", oversized, [
    [
      "8193 characters of garbage (over the 8192 default, refused before parsing)",
      TOO_LARGE,
      () => `${"a".repeat(4000)}.${"b".repeat(4000)}.${"c".repeat(191)}`,
    ],
    [
      "a validly signed token of about 9000 characters",
      TOO_LARGE,
      { claims: { pad: "x".repeat(6500) } },
    ],
    [
      "a validly signed token of exactly 8192 characters is accepted",
      accepted,
      (f: Fixture) => tokenOfLength(f, 8192),
    ],
  ]),

  // --- odd kid values (RFC 7515 §4.1.4: a string; selection from the key set only) ---
  ...rule("odd-kid", "default", token, [
    ["kid that is a number, signed by the issuer's key", UNKNOWN_KEY, { header: { kid: 123 } }],
    [
      "kid that is an object, signed by the issuer's key",
      UNKNOWN_KEY,
      { header: { kid: { $ne: null } } },
    ],
    ["kid that is null, signed by the issuer's key", UNKNOWN_KEY, { header: { kid: null } }],
    ["kid that is empty, signed by the issuer's key", UNKNOWN_KEY, { header: { kid: "" } }],
    [
      "kid that is a path, signed by the issuer's key",
      UNKNOWN_KEY,
      { header: { kid: "../../../../etc/passwd" } },
    ],
    [
      "kid that is __proto__, signed by the issuer's key",
      UNKNOWN_KEY,
      { header: { kid: "__proto__" } },
    ],
    // Logged cut to its first 128 characters, with a marker (logging/cap-log-text.ts).
    [
      "kid that is 2000 characters long, signed by the issuer's key",
      UNKNOWN_KEY,
      { header: { kid: "k".repeat(2000) }, loggedKid: `${"k".repeat(128)}…[cut 1872 chars]` },
    ],
    [
      "kid that is CR LF and quotes, signed by the issuer's key",
      UNKNOWN_KEY,
      { header: { kid: '"}\r\nX-Injected: 1\r\n{"' } },
    ],
    [
      "kid that is non-ASCII, signed by the issuer's key",
      UNKNOWN_KEY,
      { header: { kid: "ключ-🔑" } },
    ],
    [
      "kid that is an SQL fragment, signed by the issuer's key",
      UNKNOWN_KEY,
      { header: { kid: "' OR '1'='1" } },
    ],
    [
      "no kid, signed by the issuer's only key, is accepted (kid is optional)",
      accepted,
      { header: { kid: undefined } },
    ],
  ]),

  // --- the Authorization header (RFC 6750 §2.1, §3.1) ---
  ...rule<RequestSpec>("no-credentials", "default", request, [
    ["no Authorization header", noCredentials, {}],
    ["an empty Authorization header", noCredentials, { authorization: () => "" }],
  ]),
  ...rule<RequestSpec>("no-query-token", "default", request, [
    [
      "a valid token in the query string only (RFC 6750 §2.3 not supported)",
      noCredentials,
      { query: (t) => `?access_token=${t}` },
    ],
  ]),
  ...rule<RequestSpec>("malformed-header", "default", request, [
    ["Basic scheme", NOT_BEARER, { authorization: () => "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=" }],
    ['a valid token under the "Token" scheme', NOT_BEARER, { authorization: (t) => `Token ${t}` }],
    ["a valid token with no scheme", NOT_BEARER, { authorization: (t) => t }],
    [
      '"Bearer" with no token',
      invalidRequest("Bearer token is empty"),
      { authorization: () => "Bearer" },
    ],
    ["two tokens after one Bearer", MULTIPLE_TOKENS, { authorization: (t) => `Bearer ${t} ${t}` }],
    [
      "two Bearer credentials in one header, comma-separated",
      MULTIPLE_TOKENS,
      { authorization: (t) => `Bearer ${t}, Bearer ${t}` },
    ],
    [
      "two Authorization header lines, the first with a valid token",
      invalidRequest("Send exactly one Authorization header"),
      { authorization: (t) => [`Bearer ${t}`, "Bearer other"] },
    ],
    [
      "two Authorization header lines, both the same valid token",
      invalidRequest("Send exactly one Authorization header"),
      { authorization: (t) => [`Bearer ${t}`, `Bearer ${t}`] },
    ],
    [
      "a tab between Bearer and the token",
      MULTIPLE_TOKENS,
      { authorization: (t) => `Bearer\t${t}` },
    ],
    [
      "a token followed by a Latin-1 byte",
      MULTIPLE_TOKENS,
      { authorization: (t) => `Bearer ${t}\u00e9` },
    ],
    [
      'scheme spelled "bearer" is accepted (case-insensitive, RFC 9110 §11.1)',
      accepted,
      { authorization: (t) => `bearer ${t}` },
    ],
    [
      'scheme spelled "BEARER" is accepted (case-insensitive, RFC 9110 §11.1)',
      accepted,
      { authorization: (t) => `BEARER ${t}` },
    ],
  ]),

  // --- a tenant's mixed key set: keys that must be ignored (RFC 7517 §4.2-4.4, RFC 8725 §3.5) ---
  ...rule("key-type", "tenant", token, [
    [
      "ES256 naming the tenant's RSA kid (key type does not match the algorithm)",
      UNKNOWN_KEY,
      { by: "tenant.ec", header: { alg: "ES256", kid: kid("tenant.rsa") } },
    ],
    [
      "RS256 naming the tenant's EC kid (key type does not match the algorithm)",
      UNKNOWN_KEY,
      { by: "tenant.rsa", header: { kid: kid("tenant.ec") } },
    ],
    [
      "EdDSA naming the tenant's EC kid (key type does not match the algorithm)",
      UNKNOWN_KEY,
      { by: "tenant.ed", header: { alg: "EdDSA", kid: kid("tenant.ec") } },
    ],
  ]),
  ...rule("key-screening", "tenant", token, [
    [
      "RS256 signed by the tenant's key published with use: enc",
      UNKNOWN_KEY,
      { by: "tenant.encryption" },
    ],
    [
      'RS256 signed by the tenant\'s key published with key_ops ["sign"] (no verify)',
      UNKNOWN_KEY,
      { by: "tenant.signOnly" },
    ],
    [
      "RS256 signed by the tenant's key published with alg RS512, used for RS256",
      UNKNOWN_KEY,
      { by: "tenant.rs512Only" },
    ],
    [
      "RS256 signed by the tenant's key of only 1024 bits (RSA)",
      UNKNOWN_KEY,
      { by: "tenant.weak" },
    ],
    [
      "RS256 signed by the tenant's key published with its private part",
      UNKNOWN_KEY,
      { by: "tenant.leaked" },
    ],
    [
      "RS256 naming the tenant's oct kid",
      UNKNOWN_KEY,
      { by: "attacker.rsa", header: { kid: kid("tenant.oct") } },
    ],
  ]),

  // --- RFC 9068 explicit typing, opt-in with AUTHACTION_REQUIRE_AT_JWT=true ---
  ...rule("at-jwt", "at+jwt", token, [
    ['typ "at+jwt" when at+jwt is required', accepted, { header: { typ: "at+jwt" } }],
    [
      'typ "application/at+jwt" when at+jwt is required',
      accepted,
      { header: { typ: "application/at+jwt" } },
    ],
    ['typ "AT+JWT" when at+jwt is required', accepted, { header: { typ: "AT+JWT" } }],
    ["typ JWT when at+jwt is required", WRONG_TYPE, { header: { typ: "JWT" } }],
    ["typ absent when at+jwt is required", WRONG_TYPE, { header: { typ: undefined } }],
    ["typ jwt+at when at+jwt is required", WRONG_TYPE, { header: { typ: "jwt+at" } }],
    [
      "a token from the issuer's real token endpoint (typ JWT) when at+jwt is required",
      WRONG_TYPE,
      (f: Fixture) => f.issuer.signToken(),
    ],
  ]),
];

/** The tRPC error code each refusal status maps to. */
export const TRPC_CODE = { 400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN" } as const;
