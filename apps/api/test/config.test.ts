import { describe, expect, it } from "vitest";
import { apiConfigFromEnv } from "../src/index.ts";
import { get, runEntryPoint, startStack } from "./support/start-stack.ts";

describe("configuration is validated at start", () => {
  it.each([
    // Outside production an unset tenant means the local issuer (local-issuer-fallback.test.ts).
    [{ NODE_ENV: "production" }, "AUTHACTION_DOMAIN"],
    [{ AUTHACTION_DOMAIN: "tenant.example.com" }, "AUTHACTION_AUDIENCE"],
    [
      { AUTHACTION_DOMAIN: "https://tenant.example.com/x", AUTHACTION_AUDIENCE: "a" },
      "AUTHACTION_DOMAIN",
    ],
    [{ AUTHACTION_ISSUER: "not a url", AUTHACTION_AUDIENCE: "a" }, "AUTHACTION_ISSUER"],
    [{ AUTHACTION_DOMAIN: "t.example.com", AUTHACTION_AUDIENCE: "a", PORT: "abc" }, "PORT"],
    [
      { AUTHACTION_DOMAIN: "t.example.com", AUTHACTION_AUDIENCE: "a", LOG_LEVEL: "loud" },
      "LOG_LEVEL",
    ],
    [
      {
        AUTHACTION_DOMAIN: "t.example.com",
        AUTHACTION_AUDIENCE: "a",
        AUTHACTION_ALGORITHMS: "RS256,HS256",
      },
      "AUTHACTION_ALGORITHMS",
    ],
    [
      {
        AUTHACTION_DOMAIN: "t.example.com",
        AUTHACTION_AUDIENCE: "a",
        AUTHACTION_CLOCK_TOLERANCE_SECONDS: "Infinity",
      },
      "AUTHACTION_CLOCK_TOLERANCE_SECONDS",
    ],
    [
      {
        AUTHACTION_DOMAIN: "t.example.com",
        AUTHACTION_AUDIENCE: "a",
        AUTHACTION_CLOCK_TOLERANCE_SECONDS: "-5",
      },
      "AUTHACTION_CLOCK_TOLERANCE_SECONDS",
    ],
    [
      {
        AUTHACTION_DOMAIN: "t.example.com",
        AUTHACTION_AUDIENCE: "a",
        AUTHACTION_JWKS_TIMEOUT_MS: "0",
      },
      "AUTHACTION_JWKS_TIMEOUT_MS",
    ],
    [
      {
        AUTHACTION_DOMAIN: "t.example.com",
        AUTHACTION_AUDIENCE: "a",
        AUTHACTION_JWKS_WARM: "maybe",
      },
      "AUTHACTION_JWKS_WARM",
    ],
  ])("refuses %j naming %s", (env, variable) => {
    expect(() => apiConfigFromEnv(env)).toThrow(new RegExp(`^${variable}: `));
  });

  it("derives both issuer spellings and the JWKS URL from the domain", () => {
    const config = apiConfigFromEnv({
      AUTHACTION_DOMAIN: "Tenant.EU.authaction.com",
      AUTHACTION_AUDIENCE: "https://api",
    });
    expect(config.verifier).toMatchObject({
      issuer: ["https://tenant.eu.authaction.com", "https://tenant.eu.authaction.com/"],
      audience: ["https://api"],
      jwksUri: "https://tenant.eu.authaction.com/.well-known/jwks.json",
    });
    expect(config).toMatchObject({ port: 3000, logLevel: "info", warmKeySet: false });
  });

  it("matches an explicit AUTHACTION_ISSUER exactly and derives the JWKS URL from it", () => {
    const config = apiConfigFromEnv({
      AUTHACTION_ISSUER: "http://localhost:9000/",
      AUTHACTION_AUDIENCE: "a,b",
    });
    expect(config.verifier).toMatchObject({
      issuer: ["http://localhost:9000/"],
      audience: ["a", "b"],
      jwksUri: "http://localhost:9000/.well-known/jwks.json",
    });
  });

  it("the real entry point prints one line naming the variable and exits 1", async () => {
    const { code, stderr } = await runEntryPoint({ AUTHACTION_DOMAIN: "tenant.example.com" });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^api: configuration error: AUTHACTION_AUDIENCE: is required/);
    expect(stderr).not.toMatch(/at .*\.ts/);
  });

  it("the real entry point, given only the issuer's URL and audience, answers its tokens and exits 0 on SIGTERM", async () => {
    const stack = await startStack({ entryPoint: true });
    try {
      expect(await get(stack, "/public")).toMatchObject({ status: 200 });
      const res = await get(stack, "/protected", `Bearer ${await stack.token()}`);
      expect(res).toMatchObject({ status: 200, body: { sub: "demo-client@clients" } });
      expect(stack.logs.find((line) => line.event === "listening")).toMatchObject({
        issuers: [stack.issuer.issuer],
        audiences: [stack.issuer.audience],
      });
    } finally {
      // close() sends one SIGTERM and rejects unless the process exits 0.
      await stack.close();
    }
  });
});

describe("API_LOG_REFUSALS_PER_MINUTE", () => {
  const tenant = { AUTHACTION_DOMAIN: "t.example.com", AUTHACTION_AUDIENCE: "a" };

  it("defaults to 60 refusal lines per reason per minute, and takes 0 to 1000000", () => {
    expect(apiConfigFromEnv(tenant).logRefusalsPerMinute).toBe(60);
    expect(apiConfigFromEnv({ ...tenant, API_LOG_REFUSALS_PER_MINUTE: "0" })).toMatchObject({
      logRefusalsPerMinute: 0,
    });
    expect(
      apiConfigFromEnv({ ...tenant, API_LOG_REFUSALS_PER_MINUTE: "1000000" }).logRefusalsPerMinute,
    ).toBe(1_000_000);
  });

  it.each(["-1", "1.5", "1000001", "lots"])("refuses %s naming the variable", (value) => {
    expect(() => apiConfigFromEnv({ ...tenant, API_LOG_REFUSALS_PER_MINUTE: value })).toThrow(
      /^API_LOG_REFUSALS_PER_MINUTE: /,
    );
  });
});
