import { publicJwkProblem } from "@repo/auth/server";
import { boolVar, intVar, parseEnv, urlVar } from "@repo/env";
import type { JWK } from "jose";
import { z } from "zod";
import {
  DEFAULT_AUDIENCE,
  DEFAULT_CLIENTS,
  DEFAULT_PORT,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
} from "./defaults.ts";
import type { IssuerClient } from "./local-issuer-types.ts";
import { isProductionEnv, refuseUnsafeStart } from "./unsafe-start.ts";

export interface IssuerConfig {
  port: number;
  host: string;
  /** Undefined only with port 0, where the issuer defaults to the URL it actually binds. */
  issuer: string | undefined;
  audiences: string[];
  clients: IssuerClient[];
  tokenLifetimeSeconds: number;
  admin: boolean;
  /** Require server nonces in DPoP proofs at the token endpoint (RFC 9449 §8). */
  dpopNonce: boolean;
  /** NODE_ENV says production: possible only with ISSUER_ALLOW_UNSAFE=true. */
  production: boolean;
}

// A client has a secret or, for private_key_jwt, a public JWK: exactly one of the two.
const publicJwkSchema = z
  .record(z.string(), z.unknown())
  .refine((jwk) => publicJwkProblem(jwk) === undefined)
  .transform((jwk) => jwk as JWK);
const clientSchema = z.union([
  z.strictObject({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    scopes: z.array(z.string().min(1)),
  }),
  z.strictObject({
    clientId: z.string().min(1),
    publicJwk: publicJwkSchema,
    scopes: z.array(z.string().min(1)),
  }),
]);
const clientsSchema = z
  .array(clientSchema)
  .min(1)
  .refine((clients) => new Set(clients.map((c) => c.clientId)).size === clients.length);

// Descriptions are printed when a value does not parse; values are never echoed, because
// ISSUER_CLIENTS holds secrets.
const issuerEnvShape = {
  ISSUER_PORT: intVar(`a TCP port (default ${DEFAULT_PORT})`, { min: 0, max: 65_535 }).default(
    DEFAULT_PORT,
  ),
  ISSUER_HOST: z
    .string()
    .regex(/^[^\s/]+$/)
    .describe("a host name or IP address to listen on (default 127.0.0.1)")
    .default("127.0.0.1"),
  ISSUER_URL: urlVar(
    "an http(s) URL used verbatim as the iss claim (default http://localhost:$ISSUER_PORT)",
  ).optional(),
  AUTHACTION_AUDIENCE: z
    .string()
    .transform((list) => list.split(",").map((audience) => audience.trim()))
    .pipe(z.array(z.string().min(1)))
    .describe("a comma-separated list of audiences (default https://api.example.com)")
    .optional(),
  ISSUER_CLIENTS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not JSON" });
        return z.NEVER;
      }
    })
    .pipe(clientsSchema)
    .describe(
      'a JSON array of {"clientId","clientSecret","scopes":[...]} or, for private_key_jwt, {"clientId","publicJwk":{...},"scopes":[...]} (a public RSA, EC or OKP JWK), with unique clientIds (default: the demo clients)',
    )
    .optional(),
  ISSUER_TOKEN_LIFETIME_SECONDS: intVar("whole seconds (default 86400)", {
    min: 1,
    max: 31_536_000,
  }).default(DEFAULT_TOKEN_LIFETIME_SECONDS),
  ISSUER_ADMIN: boolVar("true or false (default false)").default(false),
  ISSUER_DPOP_NONCE: boolVar(
    "true or false (default false); true requires server nonces in DPoP proofs",
  ).default(false),
  ISSUER_ALLOW_UNSAFE: boolVar(
    "true or false (default false); true lets the issuer start under NODE_ENV=production or on a non-loopback ISSUER_HOST",
  ).default(false),
};

/**
 * The issuer's configuration from the environment (README lists every variable).
 * @throws ConfigurationError naming the first malformed variable, never echoing its value, or
 *   NODE_ENV / ISSUER_HOST where it must not run (see `refuseUnsafeStart`).
 */
export function issuerConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): IssuerConfig {
  const vars = parseEnv(issuerEnvShape, env);
  refuseUnsafeStart({
    host: vars.ISSUER_HOST,
    nodeEnv: env.NODE_ENV,
    allowUnsafe: vars.ISSUER_ALLOW_UNSAFE,
  });
  const port = vars.ISSUER_PORT;
  return {
    port,
    host: vars.ISSUER_HOST,
    issuer: vars.ISSUER_URL ?? (port === 0 ? undefined : `http://localhost:${port}`),
    audiences: vars.AUTHACTION_AUDIENCE ?? [DEFAULT_AUDIENCE],
    clients: vars.ISSUER_CLIENTS ?? DEFAULT_CLIENTS,
    tokenLifetimeSeconds: vars.ISSUER_TOKEN_LIFETIME_SECONDS,
    admin: vars.ISSUER_ADMIN,
    dpopNonce: vars.ISSUER_DPOP_NONCE,
    production: isProductionEnv(env.NODE_ENV),
  };
}
