import { CLIENT_ASSERTION_ALGORITHMS, DPOP_SIGNING_ALGORITHMS } from "./signing-algorithms.ts";

/** Where the issuer's endpoints are; the metadata below is derived from them. */
export interface IssuerEndpoints {
  issuer: string;
  jwksUri: string;
  tokenUrl: string;
}

/**
 * OpenID Connect Discovery / RFC 8414 metadata for a server that only does client_credentials,
 * so fields describing the authorization endpoint are left out rather than faked. It names the
 * client authentication methods (RFC 8414 §2, private_key_jwt with its algorithms) and the DPoP
 * proof algorithms (RFC 9449 §5.1).
 */
export function openidConfiguration(endpoints: IssuerEndpoints, scopes: string[]) {
  return {
    issuer: endpoints.issuer,
    jwks_uri: endpoints.jwksUri,
    token_endpoint: endpoints.tokenUrl,
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: [
      "client_secret_post",
      "client_secret_basic",
      "private_key_jwt",
    ],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGORITHMS],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: [...new Set(scopes)],
    claims_supported: ["iss", "sub", "aud", "exp", "iat", "jti", "scope", "client_id", "cnf"],
  };
}
