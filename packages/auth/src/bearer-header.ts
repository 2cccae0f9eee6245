import { AuthError } from "./errors.ts";

/** A credential from the Authorization header: its scheme (lower case) and the token. */
export interface AuthorizationCredential {
  readonly scheme: "bearer" | "dpop";
  readonly token: string;
}

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; b64token = 1*( ALPHA / DIGIT / "-" / "." /
// "_" / "~" / "+" / "/" ) *"=". RFC 9449 §7.1 gives the DPoP scheme the same syntax. Schemes are
// case-insensitive (RFC 9110 §11.1).
const CREDENTIAL = /^(bearer|dpop) +([A-Za-z0-9\-._~+/]+=*)$/i;
const SCHEME = /^(bearer|dpop)(\s|$)/i;

/**
 * Extract the token from an Authorization header value, with the Bearer scheme or, when
 * `acceptDpop`, the DPoP scheme too. Only the header is ever read: RFC 6750 §2.2/§2.3 (form body,
 * query string) are deliberately unsupported, since tokens in URLs end up in logs and caches.
 *
 * @throws AuthError `missing_token` when there is no header (the challenge then has no error code),
 *   `invalid_request` when the header is not exactly one credential of an accepted scheme.
 */
export function parseAuthorizationHeader(
  header: string | readonly string[] | undefined,
  acceptDpop: boolean,
): AuthorizationCredential {
  if (header === undefined || header === "") {
    throw new AuthError("missing_token", "Authorization header required");
  }
  if (typeof header !== "string") {
    throw new AuthError("invalid_request", "Send exactly one Authorization header");
  }
  const trimmed = header.trim();
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase() as "bearer" | "dpop" | undefined;
  if (scheme === undefined || (scheme === "dpop" && !acceptDpop)) {
    const accepted = acceptDpop ? "Bearer or DPoP" : "Bearer";
    throw new AuthError("invalid_request", `Authorization scheme must be ${accepted}`);
  }
  const name = scheme === "dpop" ? "DPoP" : "Bearer";
  const match = CREDENTIAL.exec(trimmed);
  if (match?.[2] !== undefined) return { scheme, token: match[2] };
  if (trimmed.length === name.length) {
    throw new AuthError("invalid_request", `${name} token is empty`, { scheme });
  }
  throw new AuthError(
    "invalid_request",
    `Send exactly one ${name} token with no other characters`,
    { scheme },
  );
}

/**
 * Extract the bearer token from an Authorization header value (the Bearer scheme only).
 * @throws AuthError as parseAuthorizationHeader does.
 */
export function parseBearerHeader(header: string | readonly string[] | undefined): string {
  return parseAuthorizationHeader(header, false).token;
}
