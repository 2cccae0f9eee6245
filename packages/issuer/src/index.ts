/**
 * A local stand-in for an AuthAction tenant: an OAuth 2.0 authorization server that issues
 * RS256 client_credentials access tokens and publishes its JWKS, with switches to inject the
 * failures a verifier or token client must survive.
 *
 * NOT FOR PRODUCTION: secrets are compared against a hard-coded list, keys live only in memory,
 * and nothing is rate limited. Use it for development, the demo and tests.
 *
 * @packageDocumentation
 */
export { DEFAULT_AUDIENCE, DEFAULT_CLIENTS } from "./defaults.ts";
export { startLocalIssuer } from "./local-issuer.ts";
export type {
  FailTokenRequestsOptions,
  IssuerClient,
  JwksMode,
  KeyIssuerClient,
  LocalIssuer,
  LocalIssuerOptions,
  RequestCounts,
  SecretIssuerClient,
  SignTokenOptions,
} from "./local-issuer-types.ts";
