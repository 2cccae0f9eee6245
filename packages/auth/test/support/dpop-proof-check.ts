import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from "jose";

/** What a resource server learns from a valid proof. */
export interface CheckedProof {
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  readonly nonce: string | undefined;
  /** RFC 7638 thumbprint of the proof's key: what a bound token's `cnf.jkt` must equal. */
  readonly jkt: string;
}

/**
 * Checks a DPoP proof as a resource server does (RFC 9449 §4.3, §7.1), with jose: `typ`, the
 * signature by its embedded public key, `iat` recent, `htm` and `htu` of the request, `ath` of the
 * token. Throws an Error naming the first rule broken. For tests only (no replay cache: the tests
 * check `jti` uniqueness themselves).
 */
export async function checkDpopProof(
  req: IncomingMessage,
  origin: string,
  accessToken: string,
): Promise<CheckedProof> {
  const headers = req.headersDistinct.dpop ?? [];
  if (headers.length !== 1) throw new Error(`${headers.length} DPoP headers`);
  const { payload, protectedHeader } = await jwtVerify(headers[0]!, EmbeddedJWK, {
    typ: "dpop+jwt",
    maxTokenAge: "300s",
    requiredClaims: ["jti", "htm", "htu", "iat"],
  });
  const url = new URL(req.url ?? "/", origin);
  if (payload.htm !== req.method) throw new Error(`htm ${payload.htm} for ${req.method}`);
  if (payload.htu !== `${url.origin}${url.pathname}`) throw new Error(`htu ${payload.htu}`);
  const ath = createHash("sha256").update(accessToken).digest("base64url");
  if (payload.ath !== ath) throw new Error("ath is not the hash of the access token");
  return {
    jti: String(payload.jti),
    htm: String(payload.htm),
    htu: String(payload.htu),
    nonce: typeof payload.nonce === "string" ? payload.nonce : undefined,
    jkt: await calculateJwkThumbprint(protectedHeader.jwk!),
  };
}
