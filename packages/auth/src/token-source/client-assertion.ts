import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { ClientPrivateKey } from "./client-private-key.ts";

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** An assertion is made for one request: it expires this soon (servers cap it, e.g. 300 s). */
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 60;

/**
 * A client assertion (RFC 7523 §3) for one token request: `iss` and `sub` the client id, `aud`
 * the authorization server (its issuer identifier, the value servers must accept), a new `jti`,
 * `iat` now and `exp` a minute later, signed with the client's key (its `kid` in the header).
 */
export function signClientAssertion(
  key: ClientPrivateKey,
  claims: { readonly clientId: string; readonly audience: string; readonly nowMs: number },
): Promise<string> {
  const iat = Math.floor(claims.nowMs / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader(
      key.keyId === undefined ? { alg: key.algorithm } : { alg: key.algorithm, kid: key.keyId },
    )
    .setIssuer(claims.clientId)
    .setSubject(claims.clientId)
    .setAudience(claims.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + CLIENT_ASSERTION_LIFETIME_SECONDS)
    .sign(key.key);
}
