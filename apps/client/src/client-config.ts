import type { ClientCredentialsOptions } from "@repo/auth/client";
import {
  ConfigurationError,
  isDevelopmentMode,
  localIssuerFallback,
  parseEnv,
  refuseInsecureHttp,
  refuseUnknownAuthactionVariables,
  tenantFromEnv,
  urlVar,
} from "@repo/env";
import { LOCAL_ISSUER_DEFAULTS } from "@repo/issuer/defaults";
import { z } from "zod";
import { clientPrivateKeyFromEnv } from "./client-private-key-env.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Everything the client needs, read once at start-up. */
export interface ClientConfig {
  /** The api's base URL, without trailing slash; tRPC lives under `/trpc`. */
  readonly apiUrl: string;
  readonly credentials: ClientCredentialsOptions;
  /** Request DPoP-bound tokens (AUTHACTION_DPOP) with a key pair made at start. Default false. */
  readonly dpop?: boolean;
  /** Set when no tenant is configured and the local issuer stands in: the line to print at start. */
  readonly localIssuerNotice?: string;
}

/**
 * An absolute http(s) URL without `user:password@`: fetch refuses URLs with credentials, and
 * URLs are printed in messages (RFC 3986 §3.2.1 deprecates credentials in them). Refused at
 * start, so no password ever reaches an output line; the value is never echoed.
 */
function urlWithoutCredentialsVar(expected: string) {
  const description = `${expected}, without user:password@`;
  return urlVar(description)
    .refine((value) => {
      // zod runs this check even when urlVar's has failed.
      const url = URL.canParse(value) ? new URL(value) : undefined;
      return url === undefined || (url.username === "" && url.password === "");
    })
    .describe(description);
}

const apiUrlVar = urlWithoutCredentialsVar(
  "an absolute http(s) URL of the api, e.g. https://api.example.com",
);
/** Where `pnpm dev` starts the api; outside development mode there is no default. */
const DEVELOPMENT_API_URL = "http://localhost:3000";

const clientCredentialsEnvShape = {
  AUTHACTION_TOKEN_URL: urlWithoutCredentialsVar(
    "an absolute http(s) URL of the token endpoint (default: {tenant}/oauth2/m2m/token)",
  ).optional(),
  AUTHACTION_CLIENT_ID: z.string().describe("the client ID of your machine-to-machine application"),
  AUTHACTION_CLIENT_AUTH_METHOD: z
    .enum(["client_secret_post", "client_secret_basic", "private_key_jwt"])
    .default("client_secret_post")
    .describe("client_secret_post (default), client_secret_basic or private_key_jwt"),
  AUTHACTION_AUDIENCE: z
    .string()
    .describe("the identifier of the API the token is for, e.g. https://api.example.com"),
  AUTHACTION_TOKEN_REQUEST_FORMAT: z
    .enum(["json", "form"])
    .optional()
    .describe(
      "json (AuthAction) or form (RFC 6749 form body); default json with client_secret_post, form otherwise",
    ),
  // One .env may serve the api and the client: the api's DPoP mode words read as the client's
  // choice rather than stopping it.
  AUTHACTION_DPOP: z
    .enum(["true", "false", "required", "allowed", "disabled"])
    .default("false")
    .transform((value) => value === "true" || value === "required")
    .describe(
      "true or false (default false); the api's words required (true), allowed and disabled (false) are read too",
    ),
};

const clientSecretShape = {
  AUTHACTION_CLIENT_SECRET: z
    .string()
    .describe("the client secret of your machine-to-machine application"),
};

// Read only with private_key_jwt; with the secret methods they are refused as odd settings.
const KEY_VARIABLES = [
  "AUTHACTION_CLIENT_PRIVATE_KEY",
  "AUTHACTION_CLIENT_PRIVATE_KEY_FILE",
  "AUTHACTION_CLIENT_KEY_ID",
] as const;

/** Client credentials options, and whether to ask for DPoP-bound tokens. */
export interface ClientCredentialsSettings {
  readonly credentials: ClientCredentialsOptions;
  /** AUTHACTION_DPOP: request DPoP-bound tokens with a key pair made at start. */
  readonly dpop: boolean;
}

/**
 * Client credentials settings from the environment: `AUTHACTION_CLIENT_ID` and
 * `AUTHACTION_AUDIENCE` (required); `AUTHACTION_CLIENT_AUTH_METHOD` (default
 * `client_secret_post`) with `AUTHACTION_CLIENT_SECRET` for the secret methods, or with
 * `private_key_jwt` the key (see clientPrivateKeyFromEnv) and no secret; `AUTHACTION_TOKEN_URL`
 * (default `{tenant}/oauth2/m2m/token`, the tenant from `AUTHACTION_DOMAIN` or
 * `AUTHACTION_ISSUER`, one of which is then required, and whose issuer identifier is the `aud`
 * of client assertions; without a tenant, the token URL is); `AUTHACTION_TOKEN_REQUEST_FORMAT`
 * (`json` or `form`, default `json` with `client_secret_post`, `form` otherwise); and
 * `AUTHACTION_DPOP` (default false). Empty values count as unset.
 *
 * @throws ConfigurationError naming the first variable that is missing, malformed or refused.
 */
export function clientCredentialsSettingsFromEnv(env: Env): ClientCredentialsSettings {
  const vars = parseEnv(clientCredentialsEnvShape, env);
  // With an explicit token URL the tenant is not needed; if it is given anyway it must be valid,
  // so a typo in AUTHACTION_DOMAIN never goes unnoticed.
  const tenantGiven = [env.AUTHACTION_DOMAIN, env.AUTHACTION_ISSUER].some(isSet);
  const tenant =
    vars.AUTHACTION_TOKEN_URL === undefined || tenantGiven ? tenantFromEnv(env) : undefined;
  const method = vars.AUTHACTION_CLIENT_AUTH_METHOD;
  const common = {
    tokenUrl: vars.AUTHACTION_TOKEN_URL ?? `${tenant?.baseUrl}/oauth2/m2m/token`,
    clientId: vars.AUTHACTION_CLIENT_ID,
    clientAuthMethod: method,
    audience: vars.AUTHACTION_AUDIENCE,
    format:
      vars.AUTHACTION_TOKEN_REQUEST_FORMAT ?? (method === "client_secret_post" ? "json" : "form"),
  } as const;

  if (method !== "private_key_jwt") {
    const keyVariable = KEY_VARIABLES.find((name) => isSet(env[name]));
    if (keyVariable !== undefined) {
      throw new ConfigurationError(
        keyVariable,
        `is only read with AUTHACTION_CLIENT_AUTH_METHOD=private_key_jwt (it is ${method})`,
      );
    }
    const { AUTHACTION_CLIENT_SECRET } = parseEnv(clientSecretShape, env);
    return {
      credentials: { ...common, clientSecret: AUTHACTION_CLIENT_SECRET },
      dpop: vars.AUTHACTION_DPOP,
    };
  }
  // The point of private_key_jwt is that no shared secret exists; one configured beside the key
  // is a leftover that would still need guarding.
  if (isSet(env.AUTHACTION_CLIENT_SECRET)) {
    throw new ConfigurationError(
      "AUTHACTION_CLIENT_SECRET",
      "must not be set with AUTHACTION_CLIENT_AUTH_METHOD=private_key_jwt (the key replaces it)",
    );
  }
  return {
    credentials: {
      ...common,
      clientPrivateKey: clientPrivateKeyFromEnv(env),
      // RFC 7523 §3: the issuer identifier; AuthAction's domain form is spelled without slash.
      ...(tenant === undefined ? {} : { assertionAudience: tenant.issuers[0] }),
    },
    dpop: vars.AUTHACTION_DPOP,
  };
}

/** The client credentials options alone (see clientCredentialsSettingsFromEnv). */
export function clientCredentialsOptionsFromEnv(env: Env): ClientCredentialsOptions {
  return clientCredentialsSettingsFromEnv(env).credentials;
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "";
}

/**
 * `pnpm dev`'s client: with no tenant (see localIssuerFallback) and no client configured (no
 * AUTHACTION_CLIENT_ID, _SECRET, _AUTH_METHOD or key variable), the local issuer's demo key
 * client (LOCAL_ISSUER_DEFAULTS.keyClient) with private_key_jwt and, unless AUTHACTION_DPOP says
 * otherwise, DPoP-bound tokens: the variables to add to `env`, or undefined when none are. Its
 * published key is registered by the local issuer only, and only outside production.
 * @throws ConfigurationError as localIssuerFallback does outside development mode.
 */
export function localKeyClientEnv(env: Env): Record<string, string> | undefined {
  const clientVariables = [
    "AUTHACTION_CLIENT_ID",
    "AUTHACTION_CLIENT_SECRET",
    "AUTHACTION_CLIENT_AUTH_METHOD",
    ...KEY_VARIABLES,
  ];
  if (clientVariables.some((name) => isSet(env[name]))) return undefined;
  if (localIssuerFallback(env, LOCAL_ISSUER_DEFAULTS) === undefined) return undefined;
  const { keyClient } = LOCAL_ISSUER_DEFAULTS;
  return {
    AUTHACTION_CLIENT_ID: keyClient.clientId,
    AUTHACTION_CLIENT_AUTH_METHOD: "private_key_jwt",
    AUTHACTION_CLIENT_PRIVATE_KEY: JSON.stringify(keyClient.privateJwk),
    ...(isSet(env.AUTHACTION_DPOP) ? {} : { AUTHACTION_DPOP: "true" }),
  };
}

/**
 * `API_URL` (in development mode, default http://localhost:3000; elsewhere required) plus the
 * client credentials variables above. With no tenant configured, the local issuer and its demo
 * client stand in in development mode only (see localIssuerFallback in @repo/env); outside it,
 * http:// to other hosts than loopback is refused. An AUTHACTION_* name no app reads is refused
 * first.
 * @throws ConfigurationError naming the first missing, malformed or refused variable.
 */
export function clientConfigFromEnv(givenEnv: Env): ClientConfig {
  refuseUnknownAuthactionVariables(givenEnv);
  const fallback = localIssuerFallback(givenEnv, LOCAL_ISSUER_DEFAULTS);
  // The fallback stands in the demo client's secret; a client with a key has none to stand in.
  const env =
    fallback !== undefined &&
    givenEnv.AUTHACTION_CLIENT_AUTH_METHOD?.trim() === "private_key_jwt" &&
    !isSet(givenEnv.AUTHACTION_CLIENT_SECRET)
      ? { ...fallback.env, AUTHACTION_CLIENT_SECRET: undefined }
      : (fallback?.env ?? givenEnv);
  const { API_URL } = parseEnv(
    { API_URL: isDevelopmentMode(env) ? apiUrlVar.default(DEVELOPMENT_API_URL) : apiUrlVar },
    env,
  );
  const { credentials, dpop } = clientCredentialsSettingsFromEnv(env);
  refuseInsecureHttp(env, ["AUTHACTION_ISSUER", "AUTHACTION_TOKEN_URL", "API_URL"]);
  return {
    ...(fallback === undefined ? {} : { localIssuerNotice: fallback.notice }),
    apiUrl: API_URL.replace(/\/+$/, ""),
    credentials,
    dpop,
  };
}
