import { decodeProtectedHeader } from "jose";

const BASE64URL = /^[A-Za-z0-9_-]*$/;
// The last character of a segment whose length is 2 or 3 (mod 4) carries 4 or 2 unused bits.
const NO_UNUSED_BITS: Record<number, string> = { 2: "AQgw", 3: "AEIMQUYcgkosw048" };

/**
 * Whether each segment of a compact JWS is canonical base64url: the URL-safe alphabet, no `=`
 * padding (RFC 7515 §2, §7.1) and zero unused bits in the last character (RFC 4648 §3.5). jose
 * decodes leniently (padding and unused bits are ignored), so without this one signed token has
 * many spellings that all verify: the same signature with `==` appended, or its last character
 * changed, would be accepted as a different token string.
 */
export function isCanonicalCompactJws(jwt: string): boolean {
  for (const segment of jwt.split(".")) {
    if (!BASE64URL.test(segment)) return false;
    const rest = segment.length % 4;
    if (rest === 1) return false;
    const allowed = NO_UNUSED_BITS[rest];
    if (allowed !== undefined && !allowed.includes(segment.charAt(segment.length - 1))) {
      return false;
    }
  }
  return true;
}

/** The `kid` of a token's protected header, for logs, when it can be read at all. */
export function readableKid(jwt: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(jwt);
    return typeof kid === "string" ? kid : undefined;
  } catch {
    return undefined;
  }
}
