/**
 * What the local issuer serves when started with no configuration: where it listens, the audience
 * it mints for and its demo clients. Exported on their own (`@repo/issuer/defaults`) because the api
 * and the client stand in for a tenant with them in development mode, without loading the server.
 */
export const LOCAL_ISSUER_DEFAULTS = {
  port: 9000,
  audience: "https://api.example.com",
  clientId: "demo-client",
  clientSecret: "demo-secret",
  /**
   * The demo client that authenticates with private_key_jwt and gets DPoP-bound tokens (what
   * `pnpm dev` and `pnpm demo` show). Its private key is published here, like the demo secret, so
   * it proves nothing: the issuer registers it only outside production.
   */
  keyClient: {
    clientId: "demo-key-client",
    privateJwk: {
      kty: "EC",
      crv: "P-256",
      x: "ZzDPOfuwzkkqT2JnE-GkW_TavgkRPZMxYqkX0MU_uTg",
      y: "AdmmU3uMFly6zS8UBZLjVMKz_-pHgDjre9Sj4zXzAkE",
      d: "GQiYR68FT0fbRuFod1jL1xMgIgqg9joFmFr85Vde4M0",
      kid: "demo-key-client-1",
      alg: "ES256",
    },
  },
} as const;
