import type { DpopMode } from "./dpop/dpop-policy.ts";
import type { AuthError } from "./errors.ts";

/**
 * HTTP status and `WWW-Authenticate` value for a refusal, per RFC 6750 §3 and §3.1, and RFC 9449
 * §7.1 for DPoP.
 */
export interface BearerRefusal {
  readonly status: 400 | 401 | 403 | 503;
  /** The error code, absent when the request simply had no credentials (RFC 6750 §3.1). */
  readonly error:
    | "invalid_request"
    | "invalid_token"
    | "insufficient_scope"
    | "invalid_dpop_proof"
    | "use_dpop_nonce"
    | undefined;
  readonly challenge: string;
  /** Short, safe text for the response body. */
  readonly description: string;
}

export interface BearerRefusalOptions {
  /**
   * RFC 9728 protected resource metadata URL, added to every challenge as `resource_metadata`
   * (§5.1) so that a client can discover which authorization server and scopes to use.
   * Default: none.
   */
  readonly resourceMetadata?: string | undefined;
  /**
   * The resource's DPoP mode and proof algorithms (RFC 9449 §7.1). `required`: only a `DPoP`
   * challenge; `allowed`: a refusal of a DPoP request has the `DPoP` challenge (with the error)
   * beside a bare Bearer one, any other refusal the Bearer challenge alone, as without DPoP (the
   * metadata document advertises DPoP); `disabled` or absent: Bearer only.
   */
  readonly dpop?: { readonly mode: DpopMode; readonly algorithms: readonly string[] } | undefined;
}

const STATUS_AND_ERROR: Partial<
  Record<AuthError["code"], readonly [BearerRefusal["status"], BearerRefusal["error"]]>
> = {
  missing_token: [401, undefined],
  dpop_required: [401, undefined],
  invalid_request: [400, "invalid_request"],
  insufficient_scope: [403, "insufficient_scope"],
  key_set_unavailable: [503, undefined],
  replay_cache_full: [503, undefined],
  invalid_dpop_proof: [401, "invalid_dpop_proof"],
  use_dpop_nonce: [401, "use_dpop_nonce"],
};

/**
 * Map an AuthError to what the client is told. Key-set outages answer 503 rather than 401: the
 * client's token may well be valid, and a 401 would send it to fetch a new one for nothing.
 */
export function bearerRefusal(
  error: AuthError,
  realm: string,
  options: BearerRefusalOptions = {},
): BearerRefusal {
  const description = safeDescription(error.message);
  const [status, code] = STATUS_AND_ERROR[error.code] ?? [401, "invalid_token"];
  const errorParams =
    code === undefined ? [] : [`error="${code}"`, `error_description="${description}"`];
  if (code === "insufficient_scope") {
    const scope = (error.requiredScopes ?? []).join(" ");
    if (scope !== "") errorParams.push(`scope="${quote(scope)}"`);
  }
  const metadata =
    options.resourceMetadata === undefined
      ? []
      : [`resource_metadata="${quote(options.resourceMetadata)}"`];
  const mode = options.dpop?.mode ?? "disabled";
  const bearer = (withError: boolean) =>
    `Bearer ${[`realm="${quote(realm)}"`, ...(withError ? errorParams : []), ...metadata].join(", ")}`;
  const dpop = (withError: boolean) => {
    const algs = `algs="${quote(options.dpop?.algorithms.join(" ") ?? "")}"`;
    return `DPoP ${[algs, ...(withError ? errorParams : []), ...metadata].join(", ")}`;
  };
  let challenge: string;
  if (mode === "required") challenge = dpop(true);
  else if (mode === "disabled") challenge = bearer(true);
  else if (error.scheme === "dpop") challenge = `${bearer(false)}, ${dpop(true)}`;
  else challenge = bearer(true);
  return { status, error: code, challenge, description };
}

// RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E (printable ASCII without " and \).
function safeDescription(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "").slice(0, 200);
}

function quote(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "");
}
