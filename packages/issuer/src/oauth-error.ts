/**
 * RFC 6749 §5.2 error codes this issuer answers with, RFC 9449 §5 and §8's for DPoP proofs at the
 * token endpoint, plus the fault-injection ones.
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "unsupported_grant_type"
  | "invalid_dpop_proof"
  | "use_dpop_nonce"
  | "temporarily_unavailable"
  | "slow_down"
  | "server_error";

/** An RFC 6749 §5.2 error response, thrown inside the token endpoint and rendered at its edge. */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    code: OAuthErrorCode,
    description: string,
    status = 400,
    headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = "OAuthError";
    this.code = code;
    this.status = status;
    this.headers = headers;
  }

  body(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}
