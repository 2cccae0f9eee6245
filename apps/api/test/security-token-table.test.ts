import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { craftToken } from "./support/craft-token.ts";
import { send } from "./support/http-exchange.ts";
import { claims, stackEnv } from "./support/security-fixture.ts";
import { describeSecurityTable } from "./support/security-table.ts";
import { startApiFromEnv, startKeyServer } from "./support/start-stack.ts";

// Every row of the security table (support/security-cases.ts) against /trpc/protected and REST
// /protected of apis started in this process, configured from environment variables only, with
// the verified-token cache on (the default). security-entry-point.test.ts runs the same rows
// against the real entry point.
const table = describeSecurityTable(startApiFromEnv);

describe("the tenant's key set, each test with its own api", () => {
  it("logs why each unusable tenant key was ignored when the key set loads", async () => {
    const f = table.fixture();
    const api = await startApiFromEnv(stackEnv("tenant", f));
    try {
      const pair = f.tenantKeys.rsa;
      const token = craftToken({
        header: { alg: "RS256", typ: "JWT", kid: pair.kid },
        payload: claims("tenant", f),
        key: pair.privateKey,
      });
      expect((await send(api.url, "/protected", { authorization: `Bearer ${token}` })).status).toBe(
        200,
      );
      await api.waitForLogs(
        (logs) => logs.some((line) => line.event === "key_set_refreshed"),
        "the key_set_refreshed log line",
      );
      const refreshed = api.logs.find((line) => line.event === "key_set_refreshed");
      const ignored = (refreshed?.ignored ?? []) as Array<{ kid: string; reason: string }>;
      expect(Object.fromEntries(ignored.map((key) => [key.kid, key.reason]))).toEqual({
        "tenant-enc": "use is enc, not sig",
        "tenant-sign-only": "key_ops does not include verify",
        "tenant-rsa-1024": "RSA modulus of 1024 bits is under 2048",
        "tenant-leaked": "private key material published",
        "tenant-oct": "key type oct not allowed",
      });
    } finally {
      await api.close();
    }
  });

  it("fetches the JWKS at most twice for twenty unknown kids within one cooldown", async () => {
    // A flood of random kids must not become a flood of JWKS requests (go-oidc #482). The cooldown
    // is an hour here, so that the bound does not depend on how fast this machine runs.
    const f = table.fixture();
    const pair = f.tenantKeys.rsa;
    const jwks = await startKeyServer([{ ...pair.publicJwk, use: "sig" }]);
    const api = await startApiFromEnv({
      ...stackEnv("tenant", f),
      AUTHACTION_JWKS_URI: jwks.jwksUri,
      AUTHACTION_JWKS_COOLDOWN_MS: "3600000",
    });
    try {
      for (let i = 0; i < 20; i++) {
        const token = craftToken({
          header: { alg: "RS256", typ: "JWT", kid: randomUUID() },
          payload: claims("tenant", f),
          key: pair.privateKey,
        });
        const res = await send(api.url, "/protected", { authorization: `Bearer ${token}` });
        expect(res.json).toMatchObject({ error: "unknown_key" });
      }
      expect(jwks.hits()).toBeGreaterThanOrEqual(1);
      expect(jwks.hits()).toBeLessThanOrEqual(2);
    } finally {
      await api.close();
      await jwks.close();
    }
  });
});
