import type { ServerResponse } from "node:http";
import { appRouter, describeProcedures, scopesOf } from "@repo/api-router";
import type { AccessTokenVerifier, DpopPolicy } from "@repo/auth/server";
import { sendJson } from "./send-json.ts";

/** RFC 9728 §3: where a resource publishes its metadata, relative to its base URL. */
export const PROTECTED_RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource";

/** The metadata URL of an api reachable at `publicUrl` (no trailing slash). */
export function resourceMetadataUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, "")}${PROTECTED_RESOURCE_METADATA_PATH}`;
}

// Derived once from the procedures' declared scopes: the router does not change at run time.
const SCOPES_SUPPORTED = scopesOf(describeProcedures(appRouter));

/**
 * RFC 9728 §2 protected resource metadata: the resource identifier (the audience tokens must
 * carry), the authorization server that issues them, the scopes the procedures require, that
 * tokens go in the Authorization header only (RFC 6750 §2.1), and the DPoP proof algorithms
 * accepted (none when DPoP is disabled) and whether only DPoP-bound tokens are.
 */
export function protectedResourceMetadata(
  verifier: AccessTokenVerifier,
  dpop: Pick<DpopPolicy, "mode" | "algorithms">,
) {
  const { audiences, issuers } = verifier.options;
  return {
    resource: audiences[0],
    authorization_servers: issuers.slice(0, 1),
    scopes_supported: SCOPES_SUPPORTED,
    bearer_methods_supported: ["header"],
    ...(dpop.mode === "disabled" ? {} : { dpop_signing_alg_values_supported: dpop.algorithms }),
    ...(dpop.mode === "required" ? { dpop_bound_access_tokens_required: true } : {}),
  };
}

export function sendProtectedResourceMetadata(
  res: ServerResponse,
  verifier: AccessTokenVerifier,
  dpop: Pick<DpopPolicy, "mode" | "algorithms">,
): void {
  // Public and the same for everyone: caches may keep it a while.
  sendJson(res, 200, protectedResourceMetadata(verifier, dpop), {
    "cache-control": "public, max-age=3600",
  });
}
