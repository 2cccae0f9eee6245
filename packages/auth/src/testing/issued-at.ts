import { decodeJwt } from "jose";

/**
 * A token's `iat` in milliseconds (not verified): where a ManualClock starts when a test checks
 * time claims with no tolerance, so that a second boundary passing between the test's start and
 * the signing cannot make the token "issued in the future".
 */
export function issuedAtMs(jwt: string): number {
  const { iat } = decodeJwt(jwt);
  if (typeof iat !== "number") throw new Error("token has no iat");
  return iat * 1000;
}
