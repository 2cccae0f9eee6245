import { describe, expect, it } from "vitest";
import { LOCAL_ISSUER_DEFAULTS, localIssuerFallback } from "../src/index.ts";

describe("localIssuerFallback", () => {
  it("with nothing set, points at http://localhost:9000 with the demo client and warms the key set", () => {
    const fallback = localIssuerFallback({});
    expect(fallback?.issuer).toBe("http://localhost:9000");
    expect(fallback?.env).toEqual({
      AUTHACTION_ISSUER: "http://localhost:9000",
      AUTHACTION_AUDIENCE: LOCAL_ISSUER_DEFAULTS.audience,
      AUTHACTION_CLIENT_ID: "demo-client",
      AUTHACTION_CLIENT_SECRET: "demo-secret",
      AUTHACTION_JWKS_WARM: "true",
    });
    expect(fallback?.notice).toContain("using the local issuer at http://localhost:9000");
    expect(fallback?.notice.split("\n")).toHaveLength(1);
  });

  it("follows the issuer's own ISSUER_PORT and ISSUER_URL", () => {
    expect(localIssuerFallback({ ISSUER_PORT: "9100" })?.issuer).toBe("http://localhost:9100");
    expect(
      localIssuerFallback({ ISSUER_PORT: "9100", ISSUER_URL: "http://127.0.0.1:4567" })?.issuer,
    ).toBe("http://127.0.0.1:4567");
  });

  it("keeps what is already set", () => {
    const fallback = localIssuerFallback({
      AUTHACTION_AUDIENCE: "https://other.example.com",
      AUTHACTION_CLIENT_ID: "limited-client",
      AUTHACTION_CLIENT_SECRET: "limited-secret",
      AUTHACTION_JWKS_WARM: "false",
    });
    expect(fallback?.env).toMatchObject({
      AUTHACTION_AUDIENCE: "https://other.example.com",
      AUTHACTION_CLIENT_ID: "limited-client",
      AUTHACTION_CLIENT_SECRET: "limited-secret",
      AUTHACTION_JWKS_WARM: "false",
    });
  });

  it.each([
    ["NODE_ENV=production", { NODE_ENV: "production" }],
    ["AUTHACTION_DOMAIN", { AUTHACTION_DOMAIN: "tenant.example.com" }],
    ["AUTHACTION_ISSUER", { AUTHACTION_ISSUER: "https://tenant.example.com/" }],
    ["AUTHACTION_JWKS_URI", { AUTHACTION_JWKS_URI: "https://keys.example.com/jwks.json" }],
    ["AUTHACTION_TOKEN_URL", { AUTHACTION_TOKEN_URL: "https://tenant.example.com/token" }],
  ])("does not apply with %s", (_, env) => {
    expect(localIssuerFallback(env)).toBeUndefined();
  });

  it("applies in development and test, and treats empty values as unset", () => {
    expect(localIssuerFallback({ NODE_ENV: "development" })).toBeDefined();
    expect(localIssuerFallback({ NODE_ENV: "test", AUTHACTION_DOMAIN: " " })).toBeDefined();
  });

  it("names a malformed ISSUER_PORT or ISSUER_URL", () => {
    expect(() => localIssuerFallback({ ISSUER_PORT: "0" })).toThrow(/^ISSUER_PORT: /);
    expect(() => localIssuerFallback({ ISSUER_URL: "localhost:9000" })).toThrow(/^ISSUER_URL: /);
  });
});
