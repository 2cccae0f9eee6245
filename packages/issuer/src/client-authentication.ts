import { basicFailure, parseBasicCredentials } from "./basic-credentials.ts";
import {
  authenticateByAssertion,
  type ClientAssertionContext,
  JWT_BEARER_ASSERTION_TYPE,
} from "./client-assertion.ts";
import type { IssuerClient } from "./local-issuer-types.ts";
import { OAuthError } from "./oauth-error.ts";
import type { TokenRequest } from "./token-request.ts";

/**
 * Authenticates the client of a token request by exactly one method (RFC 6749 §2.3): a JWT
 * assertion (private_key_jwt), HTTP Basic (client_secret_basic) or `client_id` and
 * `client_secret` in the body (client_secret_post). A client registered with a key passes only
 * the first, a client registered with a secret only the other two.
 *
 * @throws OAuthError 401 `invalid_client` (with a Basic challenge when Basic was tried), or 400
 *   `invalid_request` for a request mixing methods or a malformed assertion request.
 */
export async function authenticateClient(
  request: TokenRequest,
  authorization: string | undefined,
  assertions: ClientAssertionContext,
): Promise<IssuerClient> {
  if (request.client_assertion !== undefined || request.client_assertion_type !== undefined) {
    if (authorization !== undefined || request.client_secret !== undefined) {
      throw new OAuthError("invalid_request", "use one client authentication method, not several");
    }
    if (request.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE) {
      throw new OAuthError(
        "invalid_request",
        `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`,
      );
    }
    if (request.client_assertion === undefined) {
      throw new OAuthError("invalid_request", "missing required parameter client_assertion");
    }
    return authenticateByAssertion(request.client_assertion, request.client_id, assertions);
  }

  const { clients } = assertions;
  const basic = parseBasicCredentials(authorization);
  if (basic !== undefined) {
    if (request.client_secret !== undefined) {
      throw new OAuthError("invalid_request", "client_secret sent both in Basic and in the body");
    }
    if (request.client_id !== undefined && request.client_id !== basic.clientId) {
      throw new OAuthError("invalid_request", "client_id in the body differs from Basic");
    }
    const client = clients.authenticate(basic.clientId, basic.clientSecret);
    if (client === undefined) throw basicFailure("unknown client or wrong secret");
    return client;
  }
  // RFC 6749 §5.2 files "no client authentication included" under invalid_client.
  if (request.client_id === undefined || request.client_secret === undefined) {
    throw new OAuthError(
      "invalid_client",
      "client authentication is required: client_id and client_secret, or a client_assertion",
      401,
    );
  }
  const client = clients.authenticate(request.client_id, request.client_secret);
  if (client === undefined) {
    throw new OAuthError("invalid_client", "unknown client or wrong secret", 401);
  }
  return client;
}
