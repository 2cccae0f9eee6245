import type { AuthError } from "./errors.ts";

/** HTTP status and `WWW-Authenticate` value for a refusal, per RFC 6750 §3 and §3.1. */
export interface BearerRefusal {
  readonly status: 400 | 401 | 403 | 503;
  /** RFC 6750 error code, absent when the request simply had no credentials (§3.1). */
  readonly error: "invalid_request" | "invalid_token" | "insufficient_scope" | undefined;
  readonly challenge: string;
  /** Short, safe text for the response body. */
  readonly description: string;
}

export interface BearerRefusalOptions {
  /**
   * RFC 9728 protected resource metadata URL, added to every challenge as `resource_metadata`
   * (§5.1) so that a client can discover which authorization server and scopes to use.
   * Default: none.
   */
  readonly resourceMetadata?: string | undefined;
}

/**
 * Map an AuthError to what the client is told. Key-set outages answer 503 rather than 401: the
 * client's token may well be valid, and a 401 would send it to fetch a new one for nothing.
 */
export function bearerRefusal(
  error: AuthError,
  realm: string,
  options: BearerRefusalOptions = {},
): BearerRefusal {
  const description = safeDescription(error.message);
  const params = [`realm="${quote(realm)}"`];
  const challenge = () => {
    if (options.resourceMetadata !== undefined) {
      params.push(`resource_metadata="${quote(options.resourceMetadata)}"`);
    }
    return `Bearer ${params.join(", ")}`;
  };
  switch (error.code) {
    case "missing_token":
      return { status: 401, error: undefined, challenge: challenge(), description };
    case "invalid_request":
      params.push('error="invalid_request"', `error_description="${description}"`);
      return { status: 400, error: "invalid_request", challenge: challenge(), description };
    case "insufficient_scope": {
      params.push('error="insufficient_scope"', `error_description="${description}"`);
      const scope = (error.requiredScopes ?? []).join(" ");
      if (scope !== "") params.push(`scope="${quote(scope)}"`);
      return { status: 403, error: "insufficient_scope", challenge: challenge(), description };
    }
    case "key_set_unavailable":
      return { status: 503, error: undefined, challenge: challenge(), description };
    default:
      params.push('error="invalid_token"', `error_description="${description}"`);
      return { status: 401, error: "invalid_token", challenge: challenge(), description };
  }
}

// RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E (printable ASCII without " and \).
function safeDescription(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "").slice(0, 200);
}

function quote(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "");
}
