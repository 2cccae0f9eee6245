import type { ClientCredentialsOptions } from "@repo/auth/client";
import {
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

type Env = Readonly<Record<string, string | undefined>>;

/** Everything the client needs, read once at start-up. */
export interface ClientConfig {
  /** The api's base URL, without trailing slash; tRPC lives under `/trpc`. */
  readonly apiUrl: string;
  readonly credentials: ClientCredentialsOptions;
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
  AUTHACTION_CLIENT_SECRET: z
    .string()
    .describe("the client secret of your machine-to-machine application"),
  AUTHACTION_AUDIENCE: z
    .string()
    .describe("the identifier of the API the token is for, e.g. https://api.example.com"),
  AUTHACTION_TOKEN_REQUEST_FORMAT: z
    .enum(["json", "form"])
    .default("json")
    .describe("json (AuthAction) or form (RFC 6749 form body)"),
};

/**
 * Client credentials options from the environment: `AUTHACTION_CLIENT_ID`,
 * `AUTHACTION_CLIENT_SECRET` and `AUTHACTION_AUDIENCE` (required), `AUTHACTION_TOKEN_URL`
 * (default `{tenant}/oauth2/m2m/token`, the tenant from `AUTHACTION_DOMAIN` or
 * `AUTHACTION_ISSUER`, one of which is then required) and `AUTHACTION_TOKEN_REQUEST_FORMAT`
 * (`json` or `form`, default `json`). Empty values count as unset.
 *
 * @throws ConfigurationError naming the first variable that is missing or malformed.
 */
export function clientCredentialsOptionsFromEnv(env: Env): ClientCredentialsOptions {
  const vars = parseEnv(clientCredentialsEnvShape, env);
  // With an explicit token URL the tenant is not needed; if it is given anyway it must be valid,
  // so a typo in AUTHACTION_DOMAIN never goes unnoticed.
  const tenantGiven = [env.AUTHACTION_DOMAIN, env.AUTHACTION_ISSUER].some(
    (value) => value !== undefined && value.trim() !== "",
  );
  const tenant =
    vars.AUTHACTION_TOKEN_URL === undefined || tenantGiven ? tenantFromEnv(env) : undefined;
  return {
    tokenUrl: vars.AUTHACTION_TOKEN_URL ?? `${tenant?.baseUrl}/oauth2/m2m/token`,
    clientId: vars.AUTHACTION_CLIENT_ID,
    clientSecret: vars.AUTHACTION_CLIENT_SECRET,
    audience: vars.AUTHACTION_AUDIENCE,
    format: vars.AUTHACTION_TOKEN_REQUEST_FORMAT,
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
  const env = fallback?.env ?? givenEnv;
  const { API_URL } = parseEnv(
    { API_URL: isDevelopmentMode(env) ? apiUrlVar.default(DEVELOPMENT_API_URL) : apiUrlVar },
    env,
  );
  const credentials = clientCredentialsOptionsFromEnv(env);
  refuseInsecureHttp(env, ["AUTHACTION_ISSUER", "AUTHACTION_TOKEN_URL", "API_URL"]);
  return {
    ...(fallback === undefined ? {} : { localIssuerNotice: fallback.notice }),
    apiUrl: API_URL.replace(/\/+$/, ""),
    credentials,
  };
}
