import { boolVar, intVar, parseEnv } from "@repo/auth";
import { type AccessTokenVerifierOptions, verifierOptionsFromEnv } from "@repo/auth/server";
import type { LevelWithSilent } from "pino";
import { z } from "zod";

type Env = Readonly<Record<string, string | undefined>>;

export interface ApiConfig {
  readonly port: number;
  readonly host: string | undefined;
  readonly logLevel: LevelWithSilent;
  readonly warmKeySet: boolean;
  readonly maxBodyBytes: number;
  readonly verifier: AccessTokenVerifierOptions;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const apiEnvShape = {
  PORT: intVar("a TCP port from 0 to 65535", 0, 65_535).default(3000),
  HOST: z
    .string()
    .min(1)
    .describe("an interface address or host name, e.g. 0.0.0.0 or 127.0.0.1")
    .optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS)
    .describe(`one of ${LOG_LEVELS.join(", ")}`)
    .default("info"),
  AUTHACTION_JWKS_WARM: boolVar("true or false").default(false),
  API_MAX_BODY_BYTES: intVar("bytes, from 1024 to 10485760", 1024, 10_485_760).default(65_536),
};

/**
 * The api's whole configuration, from the environment (README lists every variable).
 * @throws ConfigurationError naming the first missing or malformed variable.
 */
export function apiConfigFromEnv(env: Env): ApiConfig {
  const verifier = verifierOptionsFromEnv(env);
  const e = parseEnv(apiEnvShape, env);
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    warmKeySet: e.AUTHACTION_JWKS_WARM,
    maxBodyBytes: e.API_MAX_BODY_BYTES,
    verifier,
  };
}
