import { z } from "zod";
import { ConfigurationError } from "./configuration-error.ts";
import { parseEnv, urlVar } from "./parse-env.ts";

/**
 * Where the authorization server lives and which `iss` values it may send.
 *
 * AuthAction's own code disagrees on the issuer's spelling: its Go SDK and Django example use
 * `https://{domain}`, its NestJS/Express examples and endpoint docs `https://{domain}/`. When only
 * the domain is configured we accept exactly those two spellings of that one tenant; an explicit
 * AUTHACTION_ISSUER is matched exactly (RFC 8414 §3.3: issuer comparison is simple string equality).
 */
export interface Tenant {
  /** Base URL without trailing slash, used to derive the JWKS and token URLs. */
  readonly baseUrl: string;
  /** The `iss` values accepted, exactly. */
  readonly issuers: readonly string[];
}

const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/i;

export const tenantEnvShape = {
  AUTHACTION_DOMAIN: z
    .string()
    .regex(DOMAIN)
    .describe("a host name such as your-tenant.eu.authaction.com (no scheme, no path)")
    .optional(),
  AUTHACTION_ISSUER: urlVar(
    "an absolute http(s) URL, matched exactly against the token's iss (e.g. http://localhost:9000)",
  ).optional(),
};

/** Resolve the tenant from AUTHACTION_DOMAIN / AUTHACTION_ISSUER; one of them is required. */
export function tenantFromEnv(env: Readonly<Record<string, string | undefined>>): Tenant {
  const { AUTHACTION_DOMAIN: domain, AUTHACTION_ISSUER: issuer } = parseEnv(tenantEnvShape, env);
  if (issuer !== undefined) return { baseUrl: issuer.replace(/\/+$/, ""), issuers: [issuer] };
  if (domain !== undefined) {
    const baseUrl = `https://${domain.toLowerCase()}`;
    return { baseUrl, issuers: [baseUrl, `${baseUrl}/`] };
  }
  throw new ConfigurationError(
    "AUTHACTION_DOMAIN",
    "is required (or set AUTHACTION_ISSUER): your tenant's host name, e.g. your-tenant.eu.authaction.com",
  );
}
