import { z } from "zod";
import { boolVar, intVar, parseEnv, urlVar } from "./env-schema.ts";
import type { KeySetEvent } from "./key-set/remote-key-set.ts";
import { tenantFromEnv } from "./tenant.ts";
import {
  type AccessTokenVerifierOptions,
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  MAX_CLOCK_TOLERANCE_SECONDS,
} from "./verifier-options.ts";

type Env = Readonly<Record<string, string | undefined>>;

const list = (description: string) =>
  z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    )
    .refine((v) => v.length > 0)
    .describe(description);

const verifierEnvShape = {
  AUTHACTION_AUDIENCE: list(
    "the API identifier (audience) tokens must carry; several comma-separated",
  ),
  AUTHACTION_JWKS_URI: urlVar("an absolute http(s) URL of the issuer's JWKS").optional(),
  AUTHACTION_ALGORITHMS: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()))
    .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1))
    .describe(`a comma-separated list of ${ASYMMETRIC_ALGORITHMS.join(", ")} (no HMAC, no none)`)
    .optional(),
  AUTHACTION_CLOCK_TOLERANCE_SECONDS: intVar(
    `whole seconds from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`,
    0,
    MAX_CLOCK_TOLERANCE_SECONDS,
  ).optional(),
  AUTHACTION_MAX_TOKEN_LENGTH: intVar("characters, from 256 to 65536", 256, 65_536).optional(),
  AUTHACTION_REQUIRE_AT_JWT: boolVar("true or false").optional(),
  AUTHACTION_JWKS_MAX_AGE_MS: intVar(
    "milliseconds, from 1 to 604800000 (7 days)",
    1,
    604_800_000,
  ).optional(),
  AUTHACTION_JWKS_COOLDOWN_MS: intVar("milliseconds, from 1 to 3600000", 1, 3_600_000).optional(),
  AUTHACTION_JWKS_TIMEOUT_MS: intVar("milliseconds, from 1 to 120000", 1, 120_000).optional(),
  AUTHACTION_JWKS_MAX_STALE_MS: intVar(
    "milliseconds, from 1 to 2592000000 (30 days)",
    1,
    2_592_000_000,
  ).optional(),
  AUTHACTION_TOKEN_CACHE_MAX_ENTRIES: intVar(
    "an entry count from 0 (off) to 10000000",
    0,
    10_000_000,
  ).optional(),
};

/**
 * Verifier options from AUTHACTION_* variables (README lists each with its default).
 * @throws ConfigurationError naming the first missing or malformed variable.
 */
export function verifierOptionsFromEnv(
  env: Env,
  onKeySetEvent?: (event: KeySetEvent) => void,
): AccessTokenVerifierOptions {
  const tenant = tenantFromEnv(env);
  const e = parseEnv(verifierEnvShape, env);
  const cacheEntries = e.AUTHACTION_TOKEN_CACHE_MAX_ENTRIES;
  const options: AccessTokenVerifierOptions = {
    issuer: tenant.issuers,
    audience: e.AUTHACTION_AUDIENCE,
    jwksUri: e.AUTHACTION_JWKS_URI ?? `${tenant.baseUrl}/.well-known/jwks.json`,
    algorithms: (e.AUTHACTION_ALGORITHMS ?? ["RS256"]) as AsymmetricAlgorithm[],
    keySet: {
      ...(e.AUTHACTION_JWKS_MAX_AGE_MS === undefined
        ? {}
        : { maxAgeMs: e.AUTHACTION_JWKS_MAX_AGE_MS }),
      ...(e.AUTHACTION_JWKS_COOLDOWN_MS === undefined
        ? {}
        : { cooldownMs: e.AUTHACTION_JWKS_COOLDOWN_MS }),
      ...(e.AUTHACTION_JWKS_TIMEOUT_MS === undefined
        ? {}
        : { timeoutMs: e.AUTHACTION_JWKS_TIMEOUT_MS }),
      ...(e.AUTHACTION_JWKS_MAX_STALE_MS === undefined
        ? {}
        : { maxStaleMs: e.AUTHACTION_JWKS_MAX_STALE_MS }),
    },
    cache: cacheEntries === 0 ? false : { maxEntries: cacheEntries ?? 10_000 },
  };
  if (e.AUTHACTION_CLOCK_TOLERANCE_SECONDS !== undefined) {
    options.clockToleranceSeconds = e.AUTHACTION_CLOCK_TOLERANCE_SECONDS;
  }
  if (e.AUTHACTION_MAX_TOKEN_LENGTH !== undefined)
    options.maxTokenLength = e.AUTHACTION_MAX_TOKEN_LENGTH;
  if (e.AUTHACTION_REQUIRE_AT_JWT !== undefined)
    options.requireAccessTokenType = e.AUTHACTION_REQUIRE_AT_JWT;
  if (onKeySetEvent !== undefined) options.onKeySetEvent = onKeySetEvent;
  return options;
}
