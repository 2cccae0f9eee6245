import type { JWK } from "jose";
import { type ClientCredentialsOptions, parseClientPrivateKey } from "../../src/client.ts";

/** An authorization server as a token source needs to know it. */
export interface AuthorizationServer {
  readonly tokenUrl: string;
  readonly issuer: string;
}

/**
 * Options for a token source that authenticates `clientId` at `server` with private_key_jwt
 * (RFC 7523) signed by `privateJwk`, naming the server's issuer identifier as the assertion's
 * audience (the safe choice: RFC 7523 §3 lets a server insist on it).
 */
export function privateKeyJwtOptions(
  server: AuthorizationServer,
  clientId: string,
  privateJwk: JWK,
  audience: string,
): ClientCredentialsOptions {
  return {
    tokenUrl: server.tokenUrl,
    clientId,
    clientAuthMethod: "private_key_jwt",
    clientPrivateKey: parseClientPrivateKey(JSON.stringify(privateJwk)),
    assertionAudience: server.issuer,
    audience,
  };
}
