import { LOCAL_ISSUER_DEFAULTS } from "./local-issuer-defaults.ts";
import type { IssuerClient } from "./local-issuer-types.ts";

/**
 * Audience the issuer mints for when none is configured: the one the api and the client fall back
 * to in development mode (LOCAL_ISSUER_DEFAULTS, written once in local-issuer-defaults.ts).
 */
export const DEFAULT_AUDIENCE: string = LOCAL_ISSUER_DEFAULTS.audience;

/** Port the runnable issuer listens on by default. */
export const DEFAULT_PORT: number = LOCAL_ISSUER_DEFAULTS.port;

const ALL_DEMO_SCOPES = ["read:public", "read:secret", "read:messages", "write:messages"];

/** The demo key client's public key: its published private key without `d`. */
const { d: _privateMember, ...demoKeyClientPublicJwk } = LOCAL_ISSUER_DEFAULTS.keyClient.privateJwk;

/**
 * Demo clients: one with every scope of the demo API, one limited to the public scope, and one
 * with every scope that authenticates with private_key_jwt (LOCAL_ISSUER_DEFAULTS.keyClient).
 */
export const DEFAULT_CLIENTS: IssuerClient[] = [
  {
    clientId: LOCAL_ISSUER_DEFAULTS.clientId,
    clientSecret: LOCAL_ISSUER_DEFAULTS.clientSecret,
    scopes: ALL_DEMO_SCOPES,
  },
  { clientId: "limited-client", clientSecret: "limited-secret", scopes: ["read:public"] },
  {
    clientId: LOCAL_ISSUER_DEFAULTS.keyClient.clientId,
    publicJwk: demoKeyClientPublicJwk,
    scopes: ALL_DEMO_SCOPES,
  },
];

/**
 * The demo clients an issuer started under NODE_ENV=production (ISSUER_ALLOW_UNSAFE=true) gets:
 * without the key client, whose published private key must never authenticate anyone there.
 */
export const PRODUCTION_DEFAULT_CLIENTS: IssuerClient[] = DEFAULT_CLIENTS.filter(
  (client) => client.publicJwk === undefined,
);

/** AuthAction's M2M tokens live for 24 hours. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 86_400;

/** Token requests are a handful of short parameters; anything larger is abuse or a mistake. */
export const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;

/**
 * Entries each replay cache (DPoP proof jtis, client assertion jtis) holds: proofs live 5 min,
 * so this is about 33 token requests per second sustained; more are refused with 429.
 */
export const DEFAULT_REPLAY_CACHE_MAX_ENTRIES = 10_000;
