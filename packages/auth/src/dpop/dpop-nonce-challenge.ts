// RFC 9449 §8 and §9: the resource server's `WWW-Authenticate: DPoP error="use_dpop_nonce"`;
// the parameter may sit in a DPoP challenge beside a Bearer one, so the whole header is searched.
const USE_DPOP_NONCE = /(?:^|[\s,])error\s*=\s*(?:"use_dpop_nonce"|use_dpop_nonce)(?:$|[\s,])/i;

/**
 * Whether a resource server's answer is a DPoP nonce challenge (RFC 9449 §9): 401 with
 * `error="use_dpop_nonce"` and the `DPoP-Nonce` to use. Without that header a retry could only
 * send the same proof again, so such an answer is no challenge the client can meet.
 */
export function isDpopNonceChallenge(response: {
  readonly status: number;
  readonly headers: Headers;
}): boolean {
  return response.status === 401 && carriesDpopNonceChallenge(response.headers);
}

/**
 * Whether an answer's `WWW-Authenticate` says `use_dpop_nonce`, whatever its status: a tRPC batch
 * whose calls ended differently answers 207, with the challenge of its refused calls.
 */
export function carriesDpopNonceChallenge(headers: Headers): boolean {
  return headers.has("dpop-nonce") && USE_DPOP_NONCE.test(headers.get("www-authenticate") ?? "");
}
