import { ConfigurationError } from "./configuration-error.ts";
import { BUILT_FOR_DEPLOYMENT, isDevelopmentMode } from "./development-mode.ts";
import { intVar, parseEnv, urlVar } from "./parse-env.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * What the local issuer serves with no configuration (its LOCAL_ISSUER_DEFAULTS, from
 * `@repo/issuer/defaults`): where it listens, the audience it mints for and its demo client.
 */
export interface LocalIssuerDefaults {
  readonly port: number;
  readonly audience: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

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

const issuerLocationShape = (defaultPort: number) => ({
  ISSUER_PORT: intVar(`a TCP port the local issuer listens on (default ${defaultPort})`, {
    min: 1,
    max: 65_535,
  }).default(defaultPort),
  ISSUER_URL: urlVar("the local issuer's URL (default http://localhost:$ISSUER_PORT)").optional(),
});

/**
 * Zero-configuration development: when no tenant is configured (none of AUTHACTION_DOMAIN,
 * AUTHACTION_ISSUER, AUTHACTION_JWKS_URI, AUTHACTION_TOKEN_URL is set, in the environment or the
 * `.env` already loaded) in development mode (NODE_ENV exactly `development` or `test`, from the
 * sources; see isDevelopmentMode), the api and the client use the local issuer: `ISSUER_URL`,
 * else `http://localhost:{ISSUER_PORT}` (default: `defaults.port`), the same variables the issuer
 * itself reads, and the issuer's default audience and demo client (`defaults`, which the issuer
 * exports as `@repo/issuer/defaults`). Variables already set are kept.
 *
 * Anywhere else a missing tenant stops the start: whatever listens on that port would otherwise
 * be trusted to mint tokens with every scope (any local process can bind it).
 *
 * @returns undefined when a tenant is configured (the caller reads it).
 * @throws ConfigurationError naming AUTHACTION_DOMAIN when no tenant is configured outside
 *   development mode, or ISSUER_PORT / ISSUER_URL when malformed.
 */
export function localIssuerFallback(
  env: Env,
  defaults: LocalIssuerDefaults,
): LocalIssuerFallback | undefined {
  if (TENANT_VARIABLES.some((name) => isSet(env[name]))) return undefined;
  if (!isDevelopmentMode(env)) {
    throw new ConfigurationError(
      "AUTHACTION_DOMAIN",
      "is required (or set AUTHACTION_ISSUER): your tenant's host name, e.g. " +
        "your-tenant.eu.authaction.com; " +
        (BUILT_FOR_DEPLOYMENT
          ? "a built dist/main.js never uses the local issuer (pnpm dev does)"
          : "NODE_ENV=development uses the local issuer instead, for development only"),
    );
  }
  const { ISSUER_PORT, ISSUER_URL } = parseEnv(issuerLocationShape(defaults.port), env);
  const issuer = ISSUER_URL ?? `http://localhost:${ISSUER_PORT}`;
  const standIns: Record<string, string> = {
    AUTHACTION_ISSUER: issuer,
    AUTHACTION_AUDIENCE: defaults.audience,
    AUTHACTION_CLIENT_ID: defaults.clientId,
    AUTHACTION_CLIENT_SECRET: defaults.clientSecret,
    AUTHACTION_JWKS_WARM: "true",
  };
  const merged: Record<string, string | undefined> = { ...env };
  for (const [name, value] of Object.entries(standIns)) {
    if (!isSet(merged[name])) merged[name] = value;
  }
  const audience = merged.AUTHACTION_AUDIENCE;
  return {
    issuer,
    env: merged,
    notice:
      `no tenant configured (AUTHACTION_DOMAIN and AUTHACTION_ISSUER unset) and ` +
      `NODE_ENV=${env.NODE_ENV}: using the local issuer at ${issuer} (audience ${audience}, client ` +
      `${merged.AUTHACTION_CLIENT_ID}). Not for production.`,
  };
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "";
}
