import { intVar, parseEnv, urlVar } from "./parse-env.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * What the local issuer (@repo/issuer) serves when started with no configuration: where it
 * listens, the audience it mints for and its demo client. Written here, once, because the api and
 * the client fall back to it; the issuer's own defaults are the same values.
 */
export const LOCAL_ISSUER_DEFAULTS = {
  port: 9000,
  audience: "https://api.example.com",
  clientId: "demo-client",
  clientSecret: "demo-secret",
} as const;

/**
 * Any of these set means "I am pointing at a real authorization server": no fallback then, and a
 * missing variable stays an error. The explicit endpoint URLs count too, so that a half-configured
 * tenant is never silently completed with the demo client.
 */
const TENANT_VARIABLES = [
  "AUTHACTION_DOMAIN",
  "AUTHACTION_ISSUER",
  "AUTHACTION_JWKS_URI",
  "AUTHACTION_TOKEN_URL",
] as const;

export interface LocalIssuerFallback {
  /** The local issuer's URL, used as AUTHACTION_ISSUER. */
  readonly issuer: string;
  /**
   * The environment to configure from: the given one, with the local issuer's values in place of
   * the unset AUTHACTION_ISSUER, AUTHACTION_AUDIENCE, AUTHACTION_CLIENT_ID, AUTHACTION_CLIENT_SECRET
   * and AUTHACTION_JWKS_WARM (true: the local key set is cheap to fetch, and readiness then means
   * what it says from the start).
   */
  readonly env: Env;
  /** One line saying why the local issuer is used and that it is not for production. */
  readonly notice: string;
}

const issuerLocationShape = {
  ISSUER_PORT: intVar("a TCP port the local issuer listens on (default 9000)", {
    min: 1,
    max: 65_535,
  }).default(LOCAL_ISSUER_DEFAULTS.port),
  ISSUER_URL: urlVar("the local issuer's URL (default http://localhost:$ISSUER_PORT)").optional(),
};

/**
 * Zero-configuration development: when no tenant is configured (none of AUTHACTION_DOMAIN,
 * AUTHACTION_ISSUER, AUTHACTION_JWKS_URI, AUTHACTION_TOKEN_URL is set, in the environment or the
 * `.env` already loaded) and NODE_ENV is not `production`, the api and the client use the local
 * issuer: `ISSUER_URL`, else `http://localhost:{ISSUER_PORT}` (default 9000), the same variables
 * the issuer itself reads, audience `https://api.example.com`, client `demo-client`/`demo-secret`.
 * Variables already set are kept.
 *
 * @returns undefined when a tenant is configured or NODE_ENV is `production` (the caller then
 *   reports the missing variable as before).
 * @throws ConfigurationError when ISSUER_PORT or ISSUER_URL is malformed.
 */
export function localIssuerFallback(env: Env): LocalIssuerFallback | undefined {
  if (env.NODE_ENV?.trim() === "production") return undefined;
  if (TENANT_VARIABLES.some((name) => isSet(env[name]))) return undefined;
  const { ISSUER_PORT, ISSUER_URL } = parseEnv(issuerLocationShape, env);
  const issuer = ISSUER_URL ?? `http://localhost:${ISSUER_PORT}`;
  const defaults: Record<string, string> = {
    AUTHACTION_ISSUER: issuer,
    AUTHACTION_AUDIENCE: LOCAL_ISSUER_DEFAULTS.audience,
    AUTHACTION_CLIENT_ID: LOCAL_ISSUER_DEFAULTS.clientId,
    AUTHACTION_CLIENT_SECRET: LOCAL_ISSUER_DEFAULTS.clientSecret,
    AUTHACTION_JWKS_WARM: "true",
  };
  const merged: Record<string, string | undefined> = { ...env };
  for (const [name, value] of Object.entries(defaults)) {
    if (!isSet(merged[name])) merged[name] = value;
  }
  const audience = merged.AUTHACTION_AUDIENCE;
  return {
    issuer,
    env: merged,
    notice:
      `no tenant configured (AUTHACTION_DOMAIN and AUTHACTION_ISSUER unset) and NODE_ENV is not ` +
      `production: using the local issuer at ${issuer} (audience ${audience}, client ` +
      `${merged.AUTHACTION_CLIENT_ID}). Not for production.`,
  };
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "";
}
