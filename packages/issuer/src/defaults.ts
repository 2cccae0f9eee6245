import type { IssuerClient } from "./local-issuer-types.ts";

/** Audience the issuer mints for when none is configured. */
export const DEFAULT_AUDIENCE = "https://api.example.com";

/** Demo clients: one with every scope of the demo API, one limited to the public scope. */
export const DEFAULT_CLIENTS: IssuerClient[] = [
  {
    clientId: "demo-client",
    clientSecret: "demo-secret",
    scopes: ["read:public", "read:secret", "read:messages", "write:messages"],
  },
  { clientId: "limited-client", clientSecret: "limited-secret", scopes: ["read:public"] },
];

/** AuthAction's M2M tokens live for 24 hours. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 86_400;

/** Token requests are a handful of short parameters; anything larger is abuse or a mistake. */
export const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;
