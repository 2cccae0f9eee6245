import type { ResolvedClientCredentialsOptions } from "./client-credentials-options.ts";

/** The parts of a token request that never change, prepared once per token source. */
export interface PreparedTokenRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Build the client credentials grant request (RFC 6749 §4.4.2) in the configured format: JSON,
 * as AuthAction's `/oauth2/m2m/token` expects, or a form body. The client authenticates in the
 * body either way (`client_secret_post`, RFC 6749 §2.3.1), as AuthAction documents it.
 */
export function prepareTokenRequest(
  options: ResolvedClientCredentialsOptions,
): PreparedTokenRequest {
  const fields: Record<string, string> = {
    grant_type: "client_credentials",
    client_id: options.clientId,
    client_secret: options.clientSecret,
    audience: options.audience,
  };
  if (options.scope !== undefined) fields.scope = options.scope;
  // RFC 6749 §5.1 responses are JSON whatever the request's format.
  const accept = "application/json";
  if (options.format === "form") {
    return {
      headers: { "content-type": "application/x-www-form-urlencoded", accept },
      body: new URLSearchParams(fields).toString(),
    };
  }
  return {
    headers: { "content-type": "application/json", accept },
    body: JSON.stringify(fields),
  };
}
