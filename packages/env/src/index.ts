/**
 * @repo/env: the one way every app, script and benchmark reads its configuration: `.env` from the
 * repository root (or DOTENV_PATH), variables validated with zod, and one line naming the variable
 * when one is missing or malformed.
 */
export {
  AUTHACTION_VARIABLES,
  refuseUnknownAuthactionVariables,
} from "./authaction-variables.ts";
export { ConfigurationError } from "./configuration-error.ts";
export { isDevelopmentMode } from "./development-mode.ts";
export {
  exitOnConfigurationError,
  exitOnConfigurationErrorAsync,
} from "./exit-on-configuration-error.ts";
export { isLoopbackHostname, refuseInsecureHttp } from "./insecure-http.ts";
export { type ListenVariables, listenFailure } from "./listen-failure.ts";
export { type LoadDotEnvOptions, loadDotEnv, workspaceRoot } from "./load-dot-env.ts";
export {
  type LocalIssuerDefaults,
  type LocalIssuerFallback,
  localIssuerFallback,
} from "./local-issuer-fallback.ts";
export {
  boolVar,
  type IntBounds,
  intVar,
  listVar,
  numberVar,
  parseEnv,
  urlVar,
} from "./parse-env.ts";
export { reportDir, UPDATE_DOCS_FLAG } from "./report-dir.ts";
export { type Tenant, tenantFromEnv } from "./tenant.ts";
export { tracesRequested } from "./traces-requested.ts";
