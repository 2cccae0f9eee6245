import { describe, expect, it } from "vitest";
import { DEFAULT_CLIENTS } from "../src/index.ts";
import { parseIssuerEnv } from "../src/issuer-env.ts";

describe("parseIssuerEnv", () => {
  it("uses the documented defaults for an empty environment", () => {
    expect(parseIssuerEnv({})).toEqual({
      ok: true,
      config: {
        port: 9000,
        host: "127.0.0.1",
        issuer: "http://localhost:9000",
        audiences: ["https://api.example.com"],
        clients: DEFAULT_CLIENTS,
        tokenLifetimeSeconds: 86400,
        admin: false,
      },
    });
  });

  it("reads every variable, treating empty values as unset", () => {
    const result = parseIssuerEnv({
      ISSUER_PORT: "9100",
      ISSUER_HOST: "",
      ISSUER_URL: "https://tenant.example/",
      AUTHACTION_AUDIENCE: "https://a.example, https://b.example",
      ISSUER_CLIENTS: '[{"clientId":"c","clientSecret":"s","scopes":["x"]}]',
      ISSUER_TOKEN_LIFETIME_SECONDS: "60",
      ISSUER_ADMIN: "true",
    });
    expect(result).toEqual({
      ok: true,
      config: {
        port: 9100,
        host: "127.0.0.1",
        issuer: "https://tenant.example/",
        audiences: ["https://a.example", "https://b.example"],
        clients: [{ clientId: "c", clientSecret: "s", scopes: ["x"] }],
        tokenLifetimeSeconds: 60,
        admin: true,
      },
    });
  });

  it("leaves the issuer to the bound URL when the port is 0", () => {
    const result = parseIssuerEnv({ ISSUER_PORT: "0" });
    expect(result.ok && result.config.issuer).toBeUndefined();
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
    ["ISSUER_ADMIN", "yes"],
  ])("rejects %s=%s with one line naming the variable", (name, value) => {
    const result = parseIssuerEnv({ [name]: value });
    expect(result.ok).toBe(false);
    const message = result.ok ? "" : result.message;
    expect(message).toMatch(new RegExp(`^Invalid ${name}: expected .+$`));
    expect(message).not.toContain("\n");
  });

  it("does not echo client secrets in the message", () => {
    const result = parseIssuerEnv({
      ISSUER_CLIENTS: '[{"clientId":"c","clientSecret":"hunter2"}]',
    });
    expect(result.ok ? "" : result.message).not.toContain("hunter2");
  });
});
