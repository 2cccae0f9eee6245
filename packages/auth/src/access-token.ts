import { z } from "zod";

/** A verified access token, as handed to procedures (`ctx.auth`). */
export interface AccessToken {
  /** The subject: for client-credentials tokens, the client (AuthAction: `{client_id}@clients`). */
  readonly sub: string;
  /** Granted scopes, from `scope` (space-separated) and, where present, `scp` / `permissions`. */
  readonly scopes: readonly string[];
  /** `client_id` (RFC 9068 §2.2), or `azp` when only that is present. */
  readonly clientId: string | undefined;
  /** From `exp`. */
  readonly expiresAt: Date;
  readonly issuer: string;
  readonly audience: readonly string[];
  /**
   * `cnf.jkt` (RFC 9449 §6.1): the thumbprint of the key the token is bound to; its DPoP proofs
   * must be signed by that key. Undefined for a bearer token.
   */
  readonly jkt: string | undefined;
  /** Every claim of the token, verified, for anything the fields above do not cover. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * The claims this package relies on, checked after the signature (jose already enforced `iss`,
 * `aud`, `exp`, `nbf` and the presence of `sub`). A token whose claims have the wrong types is
 * refused rather than half-trusted.
 */
export const accessTokenClaimsSchema = z.looseObject({
  iss: z.string(),
  sub: z.string().min(1, "sub must be a non-empty string"),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  iat: z.number().optional(),
  nbf: z.number().optional(),
  scope: z.string().optional(),
  scp: z.union([z.string(), z.array(z.string())]).optional(),
  permissions: z.array(z.string()).optional(),
  client_id: z.string().optional(),
  azp: z.string().optional(),
  // A binding this package cannot check (mTLS `x5t#S256` alone) is refused, not ignored: ignoring
  // it would turn a sender-constrained token back into a bearer token.
  cnf: z.looseObject({ jkt: z.string().min(1) }).optional(),
});

export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;
