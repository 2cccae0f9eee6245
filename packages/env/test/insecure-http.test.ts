import { describe, expect, it } from "vitest";
import { ConfigurationError, isLoopbackHostname, refuseInsecureHttp } from "../src/index.ts";

const VARIABLES = ["AUTHACTION_ISSUER", "AUTHACTION_JWKS_URI", "AUTHACTION_TOKEN_URL", "API_URL"];

function refusal(env: Record<string, string | undefined>): ConfigurationError | undefined {
  try {
    refuseInsecureHttp(env, VARIABLES);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  return undefined;
}

describe("refuseInsecureHttp", () => {
  it.each(VARIABLES)(
    "refuses http:// to another host in %s outside development, naming it and the opt-in, not the value",
    (variable) => {
      for (const mode of [{}, { NODE_ENV: "production" }, { NODE_ENV: "staging" }]) {
        const error = refusal({ ...mode, [variable]: "http://auth.example.com/secret-path" });
        expect(error?.variable).toBe(variable);
        expect(error?.message).toMatch(
          new RegExp(`^${variable}: is http:// to a host that is not loopback`),
        );
        expect(error?.message).toContain("AUTHACTION_ALLOW_INSECURE_HTTP=true");
        expect(error?.message).not.toContain("auth.example.com");
      }
    },
  );

  it.each([
    "http://localhost:9000",
    "http://LOCALHOST:9000/",
    "http://127.0.0.1:9000",
    "http://127.255.0.9/x",
    "http://127.1:9000",
    "http://[::1]:9000",
    "http://[0:0:0:0:0:0:0:1]/",
  ])("accepts loopback %s outside development", (url) => {
    for (const variable of VARIABLES) {
      expect(refusal({ NODE_ENV: "production", [variable]: url })).toBeUndefined();
    }
  });

  it.each([
    "http://128.0.0.1",
    "http://localhost.example.com",
    "http://127.0.0.1.nip.io",
    "http://[::2]",
    "http://[::ffff:10.0.0.1]",
    "http://0.0.0.0:9000",
    "http://10.0.0.1",
  ])("refuses %s, which is not loopback", (url) => {
    expect(refusal({ NODE_ENV: "production", API_URL: url })?.variable).toBe("API_URL");
  });

  it("accepts https:// anywhere, and ignores unset, empty and unlisted variables", () => {
    expect(
      refusal({
        NODE_ENV: "production",
        AUTHACTION_ISSUER: "https://tenant.example.com/",
        AUTHACTION_JWKS_URI: "",
        API_PUBLIC_URL: "http://api.example.com",
      }),
    ).toBeUndefined();
  });

  it("accepts http:// to any host with AUTHACTION_ALLOW_INSECURE_HTTP=true, and in development mode", () => {
    const allowing: Record<string, string>[] = [
      { AUTHACTION_ALLOW_INSECURE_HTTP: "true" },
      { NODE_ENV: "production", AUTHACTION_ALLOW_INSECURE_HTTP: "1" },
      { NODE_ENV: "development" },
      { NODE_ENV: "test" },
    ];
    for (const env of allowing) {
      expect(refusal({ ...env, AUTHACTION_ISSUER: "http://auth.example.com" })).toBeUndefined();
    }
    expect(
      refusal({ AUTHACTION_ALLOW_INSECURE_HTTP: "false", AUTHACTION_ISSUER: "http://a.example" })
        ?.variable,
    ).toBe("AUTHACTION_ISSUER");
  });

  it("names a malformed AUTHACTION_ALLOW_INSECURE_HTTP", () => {
    expect(refusal({ AUTHACTION_ALLOW_INSECURE_HTTP: "please" })?.variable).toBe(
      "AUTHACTION_ALLOW_INSECURE_HTTP",
    );
  });
});

describe("isLoopbackHostname", () => {
  it("is localhost, 127.0.0.0/8 and [::1] as the URL parser writes them, nothing else", () => {
    const hostname = (url: string) => new URL(url).hostname;
    expect(isLoopbackHostname(hostname("http://localhost"))).toBe(true);
    expect(isLoopbackHostname(hostname("http://0x7f.1"))).toBe(true);
    expect(isLoopbackHostname(hostname("http://[::1]"))).toBe(true);
    expect(isLoopbackHostname(hostname("http://127.0.0.1.example.com"))).toBe(false);
    expect(isLoopbackHostname(hostname("http://localhost."))).toBe(false);
  });
});
