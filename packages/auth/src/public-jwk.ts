// RFC 7517 §9.3 and RFC 7518 §6: the members only a private (or symmetric) key has.
export const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

const ASYMMETRIC_KEY_TYPES = ["RSA", "EC", "OKP"];

/**
 * Why `jwk` cannot be registered as a client's public key, or undefined when it can: an
 * asymmetric key type and no private member (a registered private key would be a shared secret
 * again, the thing private_key_jwt exists to avoid).
 */
export function publicJwkProblem(jwk: Readonly<Record<string, unknown>>): string | undefined {
  if (typeof jwk.kty !== "string" || !ASYMMETRIC_KEY_TYPES.includes(jwk.kty)) {
    return "must be an RSA, EC or OKP key (kty)";
  }
  if (PRIVATE_JWK_MEMBERS.some((name) => name in jwk)) {
    return "must be a public key (it has private members)";
  }
  return undefined;
}
