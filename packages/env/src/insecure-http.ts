import { ConfigurationError } from "./configuration-error.ts";
import { isDevelopmentMode } from "./development-mode.ts";
import { boolVar, parseEnv } from "./parse-env.ts";

type Env = Readonly<Record<string, string | undefined>>;

const insecureHttpShape = {
  AUTHACTION_ALLOW_INSECURE_HTTP: boolVar(
    "true or false: accept http:// URLs to hosts that are not loopback outside development",
  ).default(false),
};

/**
 * Whether a URL's `hostname` (as the URL parser writes it) names this machine: `localhost`,
 * 127.0.0.0/8 (RFC 1122 §3.2.1.3; the parser has already turned `127.1` or `0x7f.1` into dotted
 * decimal) or `[::1]`. Traffic to these never crosses a network.
 */
export function isLoopbackHostname(hostname: string): boolean {
  if (hostname === "localhost" || hostname === "[::1]") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Outside development mode, refuse a plain `http://` URL in any of `variables` (those set and
 * well formed; the caller's parsing reports the others) unless its host is loopback or
 * AUTHACTION_ALLOW_INSECURE_HTTP=true. Over http a network attacker swaps the key set (and forges
 * any token), or reads the client secret and the tokens. The value is never echoed.
 * @throws ConfigurationError naming the first such variable, or a malformed
 *   AUTHACTION_ALLOW_INSECURE_HTTP.
 */
export function refuseInsecureHttp(env: Env, variables: readonly string[]): void {
  const { AUTHACTION_ALLOW_INSECURE_HTTP: allowed } = parseEnv(insecureHttpShape, env);
  if (allowed || isDevelopmentMode(env)) return;
  for (const variable of variables) {
    const value = env[variable]?.trim() ?? "";
    if (!URL.canParse(value)) continue;
    const url = new URL(value);
    if (url.protocol === "http:" && !isLoopbackHostname(url.hostname)) {
      throw new ConfigurationError(
        variable,
        "is http:// to a host that is not loopback, which anyone on the network path can read " +
          "and change: use https://, or set AUTHACTION_ALLOW_INSECURE_HTTP=true",
      );
    }
  }
}
