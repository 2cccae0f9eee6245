import { ConfigurationError } from "@repo/env";
import { describe, expect, it } from "vitest";
import { DEFAULT_CLIENTS } from "../src/index.ts";
import { issuerConfigFromEnv } from "../src/issuer-env.ts";

function refusal(env: Record<string, string>): string {
  try {
    issuerConfigFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigurationError");
}

describe("issuerConfigFromEnv", () => {
  it("uses the documented defaults for an empty environment", () => {
    expect(issuerConfigFromEnv({})).toEqual({
      port: 9000,
      host: "127.0.0.1",
      issuer: "http://localhost:9000",
      audiences: ["https://api.example.com"],
      clients: DEFAULT_CLIENTS,
      tokenLifetimeSeconds: 86400,
      admin: false,
    });
  });

  it("reads every variable, treating empty values as unset", () => {
    const result = issuerConfigFromEnv({
      ISSUER_PORT: "9100",
      ISSUER_HOST: "",
      ISSUER_URL: "https://tenant.example/",
      AUTHACTION_AUDIENCE: "https://a.example, https://b.example",
      ISSUER_CLIENTS: '[{"clientId":"c","clientSecret":"s","scopes":["x"]}]',
      ISSUER_TOKEN_LIFETIME_SECONDS: "60",
      ISSUER_ADMIN: "true",
    });
    expect(result).toEqual({
      port: 9100,
      host: "127.0.0.1",
      issuer: "https://tenant.example/",
      audiences: ["https://a.example", "https://b.example"],
      clients: [{ clientId: "c", clientSecret: "s", scopes: ["x"] }],
      tokenLifetimeSeconds: 60,
      admin: true,
    });
  });

  it("leaves the issuer to the bound URL when the port is 0", () => {
    expect(issuerConfigFromEnv({ ISSUER_PORT: "0" }).issuer).toBeUndefined();
  });

  it.each([
    ["ISSUER_PORT", "abc"],
    ["ISSUER_PORT", "70000"],
    ["ISSUER_HOST", "has space"],
    ["ISSUER_URL", "ftp://x.example"],
    ["AUTHACTION_AUDIENCE", "a,,b"],
    ["ISSUER_CLIENTS", "{not json"],
    ["ISSUER_CLIENTS", '[{"clientId":"c"}]'],
    [
      "ISSUER_CLIENTS",
      '[{"clientId":"c","clientSecret":"s","scopes":[]},{"clientId":"c","clientSecret":"t","scopes":[]}]',
    ],
    ["ISSUER_TOKEN_LIFETIME_SECONDS", "0"],
    ["ISSUER_ADMIN", "maybe"],
  ])("rejects %s=%s with one line naming the variable", (name, value) => {
    const message = refusal({ [name]: value });
    expect(message).toMatch(new RegExp(`^${name}: expected .+$`));
    expect(message).not.toContain("\n");
  });

  it("does not echo client secrets in the message", () => {
    expect(
      refusal({ ISSUER_CLIENTS: '[{"clientId":"c","clientSecret":"hunter2"}]' }),
    ).not.toContain("hunter2");
  });
});
