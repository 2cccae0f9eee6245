import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterEach, describe, expect, it } from "vitest";
import { apiConfigFromEnv } from "../src/index.ts";
import { type ApiUnderTest, startApiFromEnv } from "./support/start-stack.ts";

const base = { AUTHACTION_DOMAIN: "t.example.com", AUTHACTION_AUDIENCE: "a" };

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close();
});

describe("JWKS response limits from the environment", () => {
  it("defaults to the verifier's limits (256 KiB, 100 keys) when unset", () => {
    expect(apiConfigFromEnv(base).verifier.keySet).toEqual({});
  });

  it("passes AUTHACTION_JWKS_MAX_BYTES and AUTHACTION_JWKS_MAX_KEYS to the key set", () => {
    const config = apiConfigFromEnv({
      ...base,
      AUTHACTION_JWKS_MAX_BYTES: "65536",
      AUTHACTION_JWKS_MAX_KEYS: "10",
    });
    expect(config.verifier.keySet).toEqual({ maxBytes: 65_536, maxKeys: 10 });
  });

  it.each([
    ["AUTHACTION_JWKS_MAX_BYTES", "256KiB"],
    ["AUTHACTION_JWKS_MAX_BYTES", "1023"],
    ["AUTHACTION_JWKS_MAX_BYTES", "16777217"],
    ["AUTHACTION_JWKS_MAX_KEYS", "0"],
    ["AUTHACTION_JWKS_MAX_KEYS", "10001"],
  ])("refuses %s=%s naming the variable", (variable, value) => {
    expect(() => apiConfigFromEnv({ ...base, [variable]: value })).toThrow(
      new RegExp(`^${variable}: `),
    );
  });

  async function apiOn(issuer: LocalIssuer, env: Record<string, string>): Promise<ApiUnderTest> {
    const api = await startApiFromEnv({
      AUTHACTION_ISSUER: issuer.issuer,
      AUTHACTION_AUDIENCE: issuer.audience,
      AUTHACTION_JWKS_URI: issuer.jwksUri,
      ...env,
    });
    open.push(api);
    return api;
  }

  it("a JWKS over the key or byte limit leaves the api not ready, saying which limit on the metrics listener", async () => {
    const issuer = await startLocalIssuer();
    open.push(issuer);
    await issuer.addKey();
    await issuer.addKey();
    for (const [env, lastError] of [
      [{ AUTHACTION_JWKS_MAX_KEYS: "2" }, "JWKS lists 3 keys, more than the limit of 2"],
      [{ AUTHACTION_JWKS_MAX_BYTES: "1024" }, "JWKS response exceeds 1024 bytes"],
    ] as const) {
      const api = await apiOn(issuer, { ...env, METRICS_PORT: "0", METRICS_HOST: "127.0.0.1" });
      // Which limit is the operator's to know: the metrics listener says it, the public port not.
      await expect
        .poll(async () => (await fetch(new URL("/readyz", api.metricsUrl))).json())
        .toMatchObject({ status: "not_ready", keySet: { lastError } });
      expect(await (await fetch(`${api.url}/readyz`)).json()).toEqual({
        status: "not_ready",
        reason: "keys_unavailable",
      });
    }
    const unlimited = await apiOn(issuer, {});
    await expect.poll(async () => (await fetch(`${unlimited.url}/readyz`)).status).toBe(200);
  });
});
