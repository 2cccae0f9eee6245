import { AuthError } from "./errors.ts";

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; b64token = 1*( ALPHA / DIGIT / "-" / "." /
// "_" / "~" / "+" / "/" ) *"=". The scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const SCHEME_ONLY = /^bearer\s*$/i;

/**
 * Extract the bearer token from an Authorization header value. Only the header is ever read: RFC
 * 6750 §2.2/§2.3 (form body, query string) are deliberately unsupported, since tokens in URLs end
 * up in logs and caches.
 *
 * @throws AuthError `missing_token` when there is no header (the challenge then has no error code),
 *   `invalid_request` when the header is not exactly one Bearer token.
 */
export function parseBearerHeader(header: string | readonly string[] | undefined): string {
  if (header === undefined || header === "") {
    throw new AuthError("missing_token", "Authorization header required");
  }
  if (typeof header !== "string") {
    throw new AuthError("invalid_request", "Send exactly one Authorization header");
  }
  const match = BEARER.exec(header.trim());
  if (match?.[1] !== undefined) return match[1];
  if (SCHEME_ONLY.test(header)) {
    throw new AuthError("invalid_request", "Bearer token is empty");
  }
  if (/^bearer\s/i.test(header)) {
    throw new AuthError(
      "invalid_request",
      "Send exactly one Bearer token with no other characters",
    );
  }
  throw new AuthError("invalid_request", "Authorization scheme must be Bearer");
}
