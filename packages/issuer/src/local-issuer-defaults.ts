/**
 * What the local issuer serves when started with no configuration: where it listens, the audience
 * it mints for and its demo client. Exported on their own (`@repo/issuer/defaults`) because the api
 * and the client stand in for a tenant with them in development mode, without loading the server.
 */
export const LOCAL_ISSUER_DEFAULTS = {
  port: 9000,
  audience: "https://api.example.com",
  clientId: "demo-client",
  clientSecret: "demo-secret",
} as const;
