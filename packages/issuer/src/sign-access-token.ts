import { randomUUID } from "node:crypto";
import { type JWTHeaderParameters, type JWTPayload, SignJWT } from "jose";
import type { SignTokenOptions } from "./local-issuer-types.ts";
import type { SigningKeyRing } from "./signing-key-ring.ts";

export interface TokenDefaults {
  issuer: string;
  audience: string;
  clientId: string;
  scopesOf(clientId: string): string[] | undefined;
  lifetimeSeconds: number;
  /** Milliseconds since the epoch, for `iat`. */
  now(): number;
}

/**
 * Signs an RS256 access token shaped like AuthAction's M2M tokens: `sub` is `${client_id}@clients`
 * and `scope` is space-separated (what AuthAction's Go SDK reads).
 */
export async function signAccessToken(
  keyRing: SigningKeyRing,
  defaults: TokenDefaults,
  options: SignTokenOptions = {},
): Promise<string> {
  const clientId = options.clientId ?? defaults.clientId;
  const issuedAt = options.issuedAt ?? Math.floor(defaults.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: options.issuer ?? defaults.issuer,
    sub: options.subject ?? `${clientId}@clients`,
    aud: options.audience ?? defaults.audience,
    iat: issuedAt,
    nbf: options.notBefore,
    exp: issuedAt + (options.expiresInSeconds ?? defaults.lifetimeSeconds),
    scope: options.scope ?? (defaults.scopesOf(clientId) ?? []).join(" "),
    client_id: clientId,
    jti: randomUUID(),
  };
  mergeDeletingUndefined(payload, options.claims);

  // A kid that is not published still goes into the header, so tests can mint unknown-kid tokens.
  const kid = options.kid ?? keyRing.kids().signing;
  const key = keyRing.find(kid) ?? keyRing.signing();
  const header: Record<string, unknown> = { alg: "RS256", typ: "JWT", kid };
  mergeDeletingUndefined(header, options.header);

  return new SignJWT(payload as JWTPayload)
    .setProtectedHeader(header as JWTHeaderParameters)
    .sign(key.privateKey);
}

function mergeDeletingUndefined(
  target: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): void {
  for (const [name, value] of Object.entries(overrides)) target[name] = value;
  for (const [name, value] of Object.entries(target)) {
    if (value === undefined) delete target[name];
  }
}
