import { DEFAULT_CLIENTS } from "./defaults.ts";
import type { IssuerClient, LocalIssuer } from "./local-issuer-types.ts";
import { describeBindAddress, isLoopbackHost } from "./loopback-address.ts";

export interface BannerOptions {
  /** The interface the issuer was asked to listen on (ISSUER_HOST). */
  readonly host: string;
  readonly clients: readonly IssuerClient[];
  readonly admin: boolean;
  /** ISSUER_DPOP_NONCE: DPoP proofs must carry a server nonce. */
  readonly dpopNonce?: boolean;
}

/**
 * What a developer needs to point the api and the client at this issuer. Client secrets are
 * never printed (output ends up in terminals, CI logs and screen shares): the demo clients'
 * secrets are documented in the README, custom ones are known to whoever set ISSUER_CLIENTS.
 */
export function startupBanner(
  issuer: Pick<LocalIssuer, "url" | "issuer" | "audience" | "jwksUri" | "tokenUrl">,
  options: BannerOptions,
): string {
  const port = new URL(issuer.url).port;
  const clientLines = options.clients.map((client) => {
    const demo = DEFAULT_CLIENTS.some(
      (known) => known.clientId === client.clientId && known.clientSecret === client.clientSecret,
    );
    const credential =
      client.publicJwk !== undefined
        ? `private_key_jwt, key ${client.publicJwk.kid ?? "without kid"}`
        : demo
          ? "demo secret, see README"
          : "secret from ISSUER_CLIENTS";
    return `    ${client.clientId} (${credential})  scopes: ${client.scopes.join(" ") || "(none)"}`;
  });
  return [
    "==============================================================",
    " LOCAL ISSUER - NOT FOR PRODUCTION (development, demo, tests)",
    "==============================================================",
    `  listening   ${describeBindAddress(options.host)}, port ${port}`,
    `  url         ${issuer.url}`,
    `  issuer      ${issuer.issuer}`,
    `  audience    ${issuer.audience}`,
    `  jwks uri    ${issuer.jwksUri}`,
    `  token url   ${issuer.tokenUrl}`,
    `  dpop        proofs bind tokens (cnf.jkt); server nonces ${options.dpopNonce === true ? "required" : "off"}`,
    "  clients:",
    ...clientLines,
    options.admin
      ? `  admin       ${issuer.url}/__admin/* (unauthenticated, loopback callers only)`
      : "  admin       off",
  ].join("\n");
}

/**
 * A warning for an issuer started where it refuses to by default (ISSUER_ALLOW_UNSAFE=true):
 * reachable from other machines, or under NODE_ENV=production; undefined when it listens on
 * loopback only outside production. Anyone who can reach it can mint tokens with the demo
 * credentials.
 */
export function exposureWarning(
  options: Pick<BannerOptions, "host" | "admin"> & { readonly production?: boolean },
): string | undefined {
  const exposed = !isLoopbackHost(options.host);
  if (!exposed && options.production !== true) return undefined;
  return [
    ...(exposed
      ? [
          `WARNING: the local issuer listens on ${describeBindAddress(options.host)}, not on loopback only:`,
          "  other machines can reach it and obtain tokens with its client credentials.",
        ]
      : []),
    ...(options.production === true
      ? [
          "WARNING: the local issuer runs under NODE_ENV=production: whatever trusts it accepts tokens",
          "  with every scope obtained with its demo credentials.",
        ]
      : []),
    "  It is NOT FOR PRODUCTION; ISSUER_ALLOW_UNSAFE=true let it start, unset it unless you mean it.",
    ...(exposed && options.admin ? ["  Its admin routes still answer loopback callers only."] : []),
  ].join("\n");
}
