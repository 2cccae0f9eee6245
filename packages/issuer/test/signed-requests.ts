// Shared by the tests: real key pairs, and DPoP proofs and client assertions signed with them,
// each claim and header field overridable (undefined deletes it) to craft the refused ones.
import { randomUUID } from "node:crypto";
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from "jose";
import { JWT_BEARER_ASSERTION_TYPE } from "../src/client-assertion.ts";

export interface TestKey {
  readonly alg: string;
  readonly privateKey: CryptoKey;
  /** With `kid` and `alg`, as a client registers it. */
  readonly publicJwk: JWK;
  /** The private half as a JWK (for tests that put it where it must not be). */
  readonly privateJwk: JWK;
}

export async function testKey(alg = "ES256", kid: string = randomUUID()): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    alg,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg },
    privateJwk: await exportJWK(privateKey),
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function merge(target: Record<string, unknown>, overrides: Record<string, unknown>) {
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete target[name];
    else target[name] = value;
  }
  return target;
}

/** A DPoP proof for `POST htu` by `key`, its public JWK in the header (RFC 9449 §4.2). */
export function signProof(
  key: TestKey,
  htu: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const { kid: _kid, alg: _alg, ...jwk } = key.publicJwk;
  const payload = merge({ htm: "POST", htu, iat: nowSeconds(), jti: randomUUID() }, claims);
  const protectedHeader = merge({ typ: "dpop+jwt", alg: key.alg, jwk }, header);
  return new SignJWT(payload as JWTPayload)
    .setProtectedHeader(protectedHeader as JWTHeaderParameters)
    .sign(key.privateKey);
}

/** A client assertion (RFC 7523 §3) by `key` for `clientId`, to `audience`, valid 60 s. */
export function signAssertion(
  key: TestKey,
  clientId: string,
  audience: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = nowSeconds();
  const payload = merge(
    { iss: clientId, sub: clientId, aud: audience, iat: now, exp: now + 60, jti: randomUUID() },
    claims,
  );
  const protectedHeader = merge({ alg: key.alg, kid: key.publicJwk.kid }, header);
  return new SignJWT(payload as JWTPayload)
    .setProtectedHeader(protectedHeader as JWTHeaderParameters)
    .sign(key.privateKey);
}

/** A JWS with `alg: none` and no signature, which no check may accept. */
export function unsecuredJws(header: Record<string, unknown>, payload: Record<string, unknown>) {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ ...header, alg: "none" })}.${part(payload)}.`;
}

/** The token request parameters of private_key_jwt for `assertion`. */
export function assertionParams(assertion: string, audience = "https://api.example.com") {
  return {
    grant_type: "client_credentials",
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: assertion,
    audience,
  };
}
