import { describe, expect, it } from "vitest";
import {
  ConfigurationError,
  localIssuerFallback as fallbackWith,
  type LocalIssuerDefaults,
} from "../src/index.ts";

/** The local issuer's defaults, as @repo/issuer/defaults gives them (env depends on no workspace). */
const LOCAL_ISSUER_DEFAULTS: LocalIssuerDefaults = {
  port: 9000,
  audience: "https://api.example.com",
  clientId: "demo-client",
  clientSecret: "demo-secret",
};
const localIssuerFallback = (env: Record<string, string | undefined>) =>
  fallbackWith(env, LOCAL_ISSUER_DEFAULTS);

const DEV = { NODE_ENV: "development" } as const;

describe("localIssuerFallback", () => {
  it("with NODE_ENV=development and nothing else set, points at http://localhost:9000 with the demo client and warms the key set", () => {
    const fallback = localIssuerFallback(DEV);
    expect(fallback?.issuer).toBe("http://localhost:9000");
    expect(fallback?.env).toEqual({
      NODE_ENV: "development",
      AUTHACTION_ISSUER: "http://localhost:9000",
      AUTHACTION_AUDIENCE: LOCAL_ISSUER_DEFAULTS.audience,
      AUTHACTION_CLIENT_ID: "demo-client",
      AUTHACTION_CLIENT_SECRET: "demo-secret",
      AUTHACTION_JWKS_WARM: "true",
    });
    expect(fallback?.notice).toContain("NODE_ENV=development: using the local issuer at");
    expect(fallback?.notice).toContain("http://localhost:9000");
    expect(fallback?.notice.split("\n")).toHaveLength(1);
  });

  it("follows the issuer's own ISSUER_PORT and ISSUER_URL", () => {
    expect(localIssuerFallback({ ...DEV, ISSUER_PORT: "9100" })?.issuer).toBe(
      "http://localhost:9100",
    );
    expect(
      localIssuerFallback({ ...DEV, ISSUER_PORT: "9100", ISSUER_URL: "http://127.0.0.1:4567" })
        ?.issuer,
    ).toBe("http://127.0.0.1:4567");
  });

  it("keeps what is already set", () => {
    const fallback = localIssuerFallback({
      ...DEV,
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
    ["AUTHACTION_DOMAIN", { AUTHACTION_DOMAIN: "tenant.example.com" }],
    ["AUTHACTION_ISSUER", { AUTHACTION_ISSUER: "https://tenant.example.com/" }],
    ["AUTHACTION_JWKS_URI", { AUTHACTION_JWKS_URI: "https://keys.example.com/jwks.json" }],
    ["AUTHACTION_TOKEN_URL", { AUTHACTION_TOKEN_URL: "https://tenant.example.com/token" }],
  ])("does not apply with %s set, in development or not", (_, env) => {
    expect(localIssuerFallback({ ...DEV, ...env })).toBeUndefined();
    expect(localIssuerFallback(env)).toBeUndefined();
  });

  it("applies in development and test, and treats empty tenant values as unset", () => {
    expect(localIssuerFallback({ NODE_ENV: "development" })).toBeDefined();
    expect(localIssuerFallback({ NODE_ENV: "test", AUTHACTION_DOMAIN: " " })).toBeDefined();
  });

  it.each([
    ["unset", {}],
    ["production", { NODE_ENV: "production" }],
    ["Production", { NODE_ENV: "Production" }],
    ["staging", { NODE_ENV: "staging" }],
    ["prod", { NODE_ENV: "prod" }],
    ["Development", { NODE_ENV: "Development" }],
    ["development with spaces", { NODE_ENV: " development " }],
    ["empty", { NODE_ENV: "" }],
  ])(
    "with no tenant and NODE_ENV %s, refuses in one line naming AUTHACTION_DOMAIN and AUTHACTION_ISSUER, and how to develop",
    (_, env) => {
      let error: unknown;
      try {
        localIssuerFallback({ ...env, ISSUER_URL: "http://127.0.0.1:4567" });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).variable).toBe("AUTHACTION_DOMAIN");
      const message = (error as Error).message;
      expect(message).toMatch(/^AUTHACTION_DOMAIN: is required \(or set AUTHACTION_ISSUER\)/);
      expect(message).toContain("NODE_ENV=development uses the local issuer instead");
      expect(message).not.toContain("\n");
    },
  );

  it("names a malformed ISSUER_PORT or ISSUER_URL", () => {
    expect(() => localIssuerFallback({ ...DEV, ISSUER_PORT: "0" })).toThrow(/^ISSUER_PORT: /);
    expect(() => localIssuerFallback({ ...DEV, ISSUER_URL: "localhost:9000" })).toThrow(
      /^ISSUER_URL: /,
    );
  });
});
