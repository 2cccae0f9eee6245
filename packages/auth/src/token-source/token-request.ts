import { JWT_BEARER_ASSERTION_TYPE, signClientAssertion } from "./client-assertion.ts";
import type { ResolvedClientCredentialsOptions } from "./client-credentials-options.ts";

/** One attempt's token request. */
export interface TokenRequestParts {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Makes each attempt's request: a new client assertion and a new DPoP proof every time. */
export type TokenRequestBuilder = () => Promise<TokenRequestParts>;

/**
 * The client credentials grant request (RFC 6749 §4.4.2) in the configured format: JSON, as
 * AuthAction's `/oauth2/m2m/token` expects, or a form body; the client authenticated by its
 * method (the secret in the body or in HTTP Basic, RFC 6749 §2.3.1, or a signed assertion, RFC
 * 7523 §2.2). What never changes is prepared once; an assertion and a DPoP proof are single-use
 * (a server remembers their `jti`), so each attempt, retries included, gets new ones.
 */
export function tokenRequestBuilder(
  options: ResolvedClientCredentialsOptions,
): TokenRequestBuilder {
  const { authentication } = options;
  const fields: Record<string, string> = { grant_type: "client_credentials" };
  // RFC 6749 §5.1 responses are JSON whatever the request's format.
  const headers: Record<string, string> = {
    "content-type":
      options.format === "form" ? "application/x-www-form-urlencoded" : "application/json",
    accept: "application/json",
  };
  if (authentication.method === "client_secret_basic") {
    headers.authorization = basicCredentials(options.clientId, authentication.clientSecret);
  } else {
    fields.client_id = options.clientId;
  }
  if (authentication.method === "client_secret_post") {
    fields.client_secret = authentication.clientSecret;
  }
  fields.audience = options.audience;
  if (options.scope !== undefined) fields.scope = options.scope;
  const encode = (values: Record<string, string>) =>
    options.format === "form" ? new URLSearchParams(values).toString() : JSON.stringify(values);
  const fixedBody = encode(fields);

  return async () => {
    const attemptHeaders = { ...headers };
    if (options.dpop !== undefined) {
      attemptHeaders.dpop = await options.dpop.proofFor("POST", options.tokenUrl);
    }
    if (authentication.method !== "private_key_jwt") {
      return { headers: attemptHeaders, body: fixedBody };
    }
    const assertion = await signClientAssertion(authentication.privateKey, {
      clientId: options.clientId,
      audience: authentication.assertionAudience,
      nowMs: options.clock.now(),
    });
    return {
      headers: attemptHeaders,
      body: encode({
        ...fields,
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: assertion,
      }),
    };
  };
}

/** RFC 6749 §2.3.1: id and secret each form-urlencoded, then joined and base64-encoded. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString("base64")}`;
}
