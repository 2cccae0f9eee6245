import { parseEnv, urlVar } from "@repo/auth";
import { type ClientCredentialsOptions, clientCredentialsOptionsFromEnv } from "@repo/auth/client";

/** Everything the client needs, read once at start-up. */
export interface ClientConfig {
  /** The api's base URL, without trailing slash; tRPC lives under `/trpc`. */
  readonly apiUrl: string;
  readonly credentials: ClientCredentialsOptions;
}

const clientEnvShape = {
  API_URL: urlVar("an absolute http(s) URL of the api, e.g. http://localhost:3000").default(
    "http://localhost:3000",
  ),
};

/**
 * `API_URL` (default http://localhost:3000) plus the client credentials variables
 * (`clientCredentialsOptionsFromEnv`: AUTHACTION_CLIENT_ID, AUTHACTION_CLIENT_SECRET,
 * AUTHACTION_AUDIENCE, and AUTHACTION_DOMAIN / AUTHACTION_ISSUER / AUTHACTION_TOKEN_URL).
 *
 * @throws ConfigurationError naming the first missing or malformed variable.
 */
export function clientConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): ClientConfig {
  const { API_URL } = parseEnv(clientEnvShape, env);
  return {
    apiUrl: API_URL.replace(/\/+$/, ""),
    credentials: clientCredentialsOptionsFromEnv(env),
  };
}
