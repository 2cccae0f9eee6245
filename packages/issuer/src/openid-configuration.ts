/** Where the issuer's endpoints are; the metadata below is derived from them. */
export interface IssuerEndpoints {
  issuer: string;
  jwksUri: string;
  tokenUrl: string;
}

/**
 * OpenID Connect Discovery / RFC 8414 metadata for a server that only does client_credentials,
 * so fields describing the authorization endpoint are left out rather than faked.
 */
export function openidConfiguration(endpoints: IssuerEndpoints, scopes: string[]) {
  return {
    issuer: endpoints.issuer,
    jwks_uri: endpoints.jwksUri,
    token_endpoint: endpoints.tokenUrl,
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: [...new Set(scopes)],
    claims_supported: ["iss", "sub", "aud", "exp", "iat", "jti", "scope", "client_id"],
  };
}
