import { OAuthError } from "./oauth-error.ts";

export const BASIC_CHALLENGE = 'Basic realm="local-issuer"';

export interface BasicCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * Reads client_secret_basic credentials (RFC 6749 §2.3.1): base64 of `id:secret`, each part
 * form-urlencoded first. Returns undefined when there is no Authorization header.
 */
export function parseBasicCredentials(
  authorization: string | undefined,
): BasicCredentials | undefined {
  if (authorization === undefined) return undefined;
  const match = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization);
  if (match === null) throw basicFailure("Authorization must be Basic with base64 credentials");
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) throw basicFailure("Basic credentials must be client_id:client_secret");
  try {
    return {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    throw basicFailure("Basic credentials are not valid form-urlencoded text");
  }
}

/** 401 with a Basic challenge, as RFC 6749 §5.2 requires when the client tried Basic. */
export function basicFailure(description: string): OAuthError {
  return new OAuthError("invalid_client", description, 401, {
    "WWW-Authenticate": BASIC_CHALLENGE,
  });
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replaceAll("+", " "));
}
