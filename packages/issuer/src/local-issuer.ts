import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DpopNonces, normalizeHttpUri, ReplayCache } from "@repo/auth/server";
import { adminRoutes } from "./admin-routes.ts";
import { ClientRegistry } from "./client-registry.ts";
import {
  DEFAULT_AUDIENCE,
  DEFAULT_CLIENTS,
  DEFAULT_REPLAY_CACHE_MAX_ENTRIES,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
} from "./defaults.ts";
import { sendJson } from "./json-response.ts";
import { JwksEndpoint } from "./jwks-endpoint.ts";
import type { LocalIssuer, LocalIssuerOptions } from "./local-issuer-types.ts";
import { openidConfiguration } from "./openid-configuration.ts";
import { RequestCounter } from "./request-counter.ts";
import { createRequestListener, type Route } from "./request-router.ts";
import { signAccessToken, type TokenDefaults } from "./sign-access-token.ts";
import { SigningKeyRing } from "./signing-key-ring.ts";
import { handleTokenRequest } from "./token-endpoint.ts";
import { TokenFailureInjection } from "./token-failure-injection.ts";

export const JWKS_PATH = "/.well-known/jwks.json";
export const OPENID_CONFIGURATION_PATH = "/.well-known/openid-configuration";
export const TOKEN_PATH = "/oauth2/m2m/token";

/**
 * Starts the issuer. Defaults: port 0, host 127.0.0.1, issuer = the listening URL, audiences
 * [DEFAULT_AUDIENCE], clients DEFAULT_CLIENTS, lifetime 86400 s, no logging, no DPoP nonces,
 * replay caches of 10000 entries, the system clock.
 */
export function startLocalIssuer(options: LocalIssuerOptions = {}): Promise<LocalIssuer> {
  return startIssuerServer(options, { admin: false });
}

/** startLocalIssuer plus the CLI-only switch for the unauthenticated `/__admin/*` routes. */
export async function startIssuerServer(
  options: LocalIssuerOptions,
  extras: { admin: boolean },
): Promise<LocalIssuer> {
  const host = options.host ?? "127.0.0.1";
  const audiences = [...(options.audiences ?? [DEFAULT_AUDIENCE])];
  if (audiences.length === 0) throw new RangeError("audiences must not be empty");
  const clients = new ClientRegistry(options.clients ?? DEFAULT_CLIENTS);
  let lifetimeSeconds = checkLifetime(
    options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
  );
  const log = options.log ?? (() => {});
  const clock = options.clock ?? { now: () => Date.now() };
  const now = () => clock.now();
  const replayCacheMaxEntries = options.replayCacheMaxEntries ?? DEFAULT_REPLAY_CACHE_MAX_ENTRIES;
  const dpopReplays = new ReplayCache({ maxEntries: replayCacheMaxEntries, now });
  const assertionReplays = new ReplayCache({ maxEntries: replayCacheMaxEntries, now });
  const dpopNonces = options.dpopNonce === true ? new DpopNonces({ now }) : undefined;

  const keyRing = await SigningKeyRing.create();
  const jwks = new JwksEndpoint(keyRing);
  const failures = new TokenFailureInjection();
  const counter = new RequestCounter();
  const routes = new Map<string, Route>();
  const server = createServer(createRequestListener(routes, log));

  const port = await listen(server, options.port ?? 0, host);
  const url = `http://${urlHost(host)}:${port}`;
  const issuer = options.issuer ?? url;
  const jwksUri = `${url}${JWKS_PATH}`;
  const tokenUrl = `${url}${TOKEN_PATH}`;
  // The token endpoint as clients configured with the issuer identifier reach it (ISSUER_URL's
  // host, e.g. localhost, where the issuer listens on 127.0.0.1), beside the listening URL.
  const publicTokenUrl = `${issuer.replace(/\/+$/, "")}${TOKEN_PATH}`;
  const acceptedHtus = new Set(
    [tokenUrl, publicTokenUrl].flatMap((candidate) => normalizeHttpUri(candidate) ?? []),
  );
  const assertionAudiences = new Set([issuer, tokenUrl, publicTokenUrl]);
  const tokenDefaults = (): TokenDefaults => ({
    issuer,
    audience: audiences[0]!,
    clientId: clients.first().clientId,
    scopesOf: (clientId) => clients.scopesOf(clientId),
    lifetimeSeconds,
    now,
  });
  let closing: Promise<void> | undefined;

  const localIssuer: LocalIssuer = {
    url,
    issuer,
    jwksUri,
    tokenUrl,
    audience: audiences[0]!,
    signToken: (signOptions) => signAccessToken(keyRing, tokenDefaults(), signOptions),
    rotateKey: () => keyRing.add({ sign: true }),
    addKey: (addOptions) => keyRing.add({ sign: addOptions?.sign ?? false }),
    removeKey: (kid) => keyRing.remove(kid),
    keys: () => keyRing.kids(),
    keyPair: (kid) => {
      const { privateKey, publicJwk } = keyRing.get(kid);
      return { kid: publicJwk.kid, privateKey, publicJwk: { ...publicJwk } };
    },
    setJwksMode: (mode) => {
      jwks.setMode(mode);
      log(`JWKS mode: ${mode}`);
    },
    failTokenRequests: (failOptions) => {
      failures.set(failOptions);
      log(`failing the next ${failOptions.count} token requests with ${failOptions.status}`);
    },
    setTokenLifetime: (seconds) => {
      lifetimeSeconds = checkLifetime(seconds);
    },
    requestCounts: () => counter.snapshot(),
    resetRequestCounts: () => counter.reset(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Also ends keep-alive sockets and requests hung by the "hang" JWKS mode.
        server.closeAllConnections();
      });
      return closing;
    },
  };

  routes.set(JWKS_PATH, {
    methods: ["GET"],
    onRequest: () => counter.increment("jwks"),
    handle: (_req, res) => jwks.respond(res),
  });
  routes.set(OPENID_CONFIGURATION_PATH, {
    methods: ["GET"],
    onRequest: () => counter.increment("openidConfiguration"),
    handle: (_req, res) =>
      sendJson(
        res,
        200,
        openidConfiguration(
          { issuer, jwksUri, tokenUrl },
          clients.all().flatMap((client) => client.scopes),
        ),
      ),
  });
  routes.set(TOKEN_PATH, {
    methods: ["POST"],
    onRequest: () => counter.increment("token"),
    handle: (req, res) =>
      handleTokenRequest(req, res, {
        audiences,
        failures,
        lifetimeSeconds: () => lifetimeSeconds,
        mint: (client, audience, lifetime, binding) =>
          signAccessToken(keyRing, tokenDefaults(), {
            clientId: client.clientId,
            audience,
            expiresInSeconds: lifetime,
            claims: binding === undefined ? {} : { cnf: { jkt: binding.jkt } },
          }),
        assertions: { clients, audiences: assertionAudiences, now, replays: assertionReplays },
        dpop: { acceptedHtus, replays: dpopReplays, nonces: dpopNonces },
      }),
  });
  if (extras.admin) {
    for (const [path, route] of adminRoutes(localIssuer)) routes.set(path, route);
  }

  return localIssuer;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    return Promise.reject(new RangeError(`port must be an integer from 0 to 65535, got ${port}`));
  }
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** A host usable in a URL: wildcard binds are reached over loopback, IPv6 literals need brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function checkLifetime(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new RangeError(`token lifetime must be a positive integer of seconds, got ${seconds}`);
  }
  return seconds;
}
