import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigurationError } from "@repo/env";
import { describe, expect, it } from "vitest";
import { apiConfigFromEnv } from "../src/index.ts";
import { get, runEntryPoint, startStack } from "./support/start-stack.ts";

describe("configuration is validated at start", () => {
  it.each([
    // In development mode an unset tenant means the local issuer (local-issuer-fallback.test.ts).
    [{ NODE_ENV: "production" }, "AUTHACTION_DOMAIN"],
    [{}, "AUTHACTION_DOMAIN"],
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

describe("outside development mode (NODE_ENV neither development nor test)", () => {
  const tenant = { AUTHACTION_DOMAIN: "tenant.example.com", AUTHACTION_AUDIENCE: "a" };

  function refusal(env: Record<string, string | undefined>): ConfigurationError {
    try {
      apiConfigFromEnv(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      return error as ConfigurationError;
    }
    throw new Error("expected a ConfigurationError");
  }

  it.each([
    ["AUTHACTION_ISSUER", { AUTHACTION_ISSUER: "http://auth.example.com/" }],
    ["AUTHACTION_JWKS_URI", { AUTHACTION_JWKS_URI: "http://keys.example.com/jwks.json" }],
    ["API_PUBLIC_URL", { API_PUBLIC_URL: "http://api.example.com" }],
  ])(
    "refuses http:// in %s to a host that is not loopback, unless opted in or in development",
    (variable, overrides) => {
      for (const mode of [undefined, "production", "Production", "staging"]) {
        const error = refusal({ ...tenant, ...overrides, NODE_ENV: mode });
        expect(error.variable).toBe(variable);
        expect(error.message).toMatch(/is http:\/\/ to a host that is not loopback/);
      }
      for (const allowed of [
        { AUTHACTION_ALLOW_INSECURE_HTTP: "true" },
        { NODE_ENV: "development" },
      ]) {
        expect(() => apiConfigFromEnv({ ...tenant, ...overrides, ...allowed })).not.toThrow();
      }
    },
  );

  it.each(["http://localhost:9000", "http://127.0.0.1:9000", "http://[::1]:9000"])(
    "accepts http:// to loopback (%s) in every trust anchor and API_PUBLIC_URL",
    (url) => {
      const config = apiConfigFromEnv({
        NODE_ENV: "production",
        AUTHACTION_ISSUER: url,
        AUTHACTION_AUDIENCE: "a",
        AUTHACTION_JWKS_URI: `${url}/jwks.json`,
        API_PUBLIC_URL: url,
      });
      expect(config.verifier.jwksUri).toBe(`${url}/jwks.json`);
    },
  );

  it.each([
    "https://api.example.invalid",
    "https://API.Example.INVALID/v1",
    "https://api.example.invalid./",
    "https://invalid",
  ])("refuses the placeholder API_PUBLIC_URL %s (a host under .invalid)", (url) => {
    const error = refusal({ ...tenant, API_PUBLIC_URL: url });
    expect(error.message).toBe(
      "API_PUBLIC_URL: names a host under .invalid, a placeholder: set the URL clients reach the api at",
    );
    expect(apiConfigFromEnv({ ...tenant, API_PUBLIC_URL: url, NODE_ENV: "test" }).publicUrl).toBe(
      url.replace(/\/+$/, ""),
    );
  });

  it("refuses a misspelt AUTHACTION_* name, naming it and the name it probably meant, before the missing tenant", () => {
    for (const mode of [undefined, "development"]) {
      const error = refusal({ NODE_ENV: mode, AUTHACTION_DOMIAN: "tenant.example.com" });
      expect(error.message).toBe(
        "AUTHACTION_DOMIAN: is not a variable any app reads; did you mean AUTHACTION_DOMAIN?",
      );
    }
  });

  it("the real entry point with NODE_ENV=production and an http:// AUTHACTION_ISSUER exits 1 naming it in one line", async () => {
    // An empty .env: NODE_ENV=production reads one, and a developer's must not change the result.
    const dir = mkdtempSync(join(tmpdir(), "api-config-"));
    const emptyDotEnv = join(dir, ".env");
    writeFileSync(emptyDotEnv, "");
    const { code, stdout, stderr } = await runEntryPoint({
      NODE_ENV: "production",
      DOTENV_PATH: emptyDotEnv,
      AUTHACTION_ISSUER: "http://auth.example.com",
      AUTHACTION_AUDIENCE: "a",
    }).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^api: configuration error: AUTHACTION_ISSUER: is http:\/\/ to a host that is not loopback[^\n]*\n$/,
    );
    expect(stderr).not.toContain("auth.example.com");
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

describe("AUTHACTION_DPOP, AUTHACTION_DPOP_NONCE and AUTHACTION_DPOP_NONCE_SECRET", () => {
  const tenant = { AUTHACTION_DOMAIN: "t.example.com", AUTHACTION_AUDIENCE: "a" };
  const SECRET = "a-nonce-secret-of-32-characters!zzsecret";

  it.each([
    [undefined, "allowed"],
    ["allowed", "allowed"],
    ["required", "required"],
    ["disabled", "disabled"],
    // One .env may serve the client too, whose AUTHACTION_DPOP is true or false.
    ["true", "allowed"],
    ["false", "disabled"],
  ])("AUTHACTION_DPOP=%s is the %s mode, with no nonces by default", (value, mode) => {
    const env = value === undefined ? tenant : { ...tenant, AUTHACTION_DPOP: value };
    expect(apiConfigFromEnv(env).dpop).toEqual({ mode, nonces: undefined });
  });

  it.each(["yes", "Required", "on", "1"])("refuses AUTHACTION_DPOP=%s naming it", (value) => {
    expect(() => apiConfigFromEnv({ ...tenant, AUTHACTION_DPOP: value })).toThrow(
      /^AUTHACTION_DPOP: /,
    );
  });

  it("AUTHACTION_DPOP_NONCE=true turns nonces on, with the shared secret when one is set", () => {
    expect(apiConfigFromEnv({ ...tenant, AUTHACTION_DPOP_NONCE: "true" }).dpop).toEqual({
      mode: "allowed",
      nonces: { secret: undefined },
    });
    const env = { ...tenant, AUTHACTION_DPOP_NONCE: "true", AUTHACTION_DPOP_NONCE_SECRET: SECRET };
    expect(apiConfigFromEnv(env).dpop).toEqual({ mode: "allowed", nonces: { secret: SECRET } });
  });

  it.each([
    [{ AUTHACTION_DPOP_NONCE: "maybe" }, "AUTHACTION_DPOP_NONCE"],
    [{ AUTHACTION_DPOP_NONCE: "true", AUTHACTION_DPOP: "disabled" }, "AUTHACTION_DPOP_NONCE"],
    [
      { AUTHACTION_DPOP_NONCE: "true", AUTHACTION_DPOP_NONCE_SECRET: SECRET.slice(0, 31) },
      "AUTHACTION_DPOP_NONCE_SECRET",
    ],
    [{ AUTHACTION_DPOP_NONCE_SECRET: SECRET }, "AUTHACTION_DPOP_NONCE_SECRET"],
    [
      { AUTHACTION_DPOP_NONCE: "false", AUTHACTION_DPOP_NONCE_SECRET: SECRET },
      "AUTHACTION_DPOP_NONCE_SECRET",
    ],
  ])("refuses %j naming %s, never repeating the secret", (dpop, variable) => {
    let message = "";
    try {
      apiConfigFromEnv({ ...tenant, ...dpop });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      message = (error as Error).message;
    }
    expect(message).toMatch(new RegExp(`^${variable}: `));
    expect(message).not.toContain("zzsecret");
    expect(message).not.toContain(SECRET.slice(0, 16));
  });

  it("the real entry point refuses a short secret in one line that does not repeat it", async () => {
    const { code, stderr, stdout } = await runEntryPoint({
      ...tenant,
      AUTHACTION_DPOP_NONCE: "true",
      AUTHACTION_DPOP_NONCE_SECRET: "short-zzsecret",
    });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^api: configuration error: AUTHACTION_DPOP_NONCE_SECRET: /);
    expect(`${stdout}${stderr}`).not.toContain("zzsecret");
  });

  it("the real entry point warns dpop_nonce_key_random when nonces are on without a secret, and not with one", async () => {
    const events = (stdout: string) =>
      stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { event?: string; level?: number });
    const random = await runEntryPoint({ ...tenant, AUTHACTION_DPOP_NONCE: "true" });
    expect(random.code).toBe(0);
    const warning = events(random.stdout).filter((line) => line.event === "dpop_nonce_key_random");
    expect(warning).toHaveLength(1);
    expect(warning[0]?.level).toBe(40);

    const shared = await runEntryPoint({
      ...tenant,
      AUTHACTION_DPOP_NONCE: "true",
      AUTHACTION_DPOP_NONCE_SECRET: SECRET,
    });
    expect(shared.code).toBe(0);
    expect(events(shared.stdout).some((line) => line.event === "dpop_nonce_key_random")).toBe(
      false,
    );
    expect(`${shared.stdout}${shared.stderr}`).not.toContain("zzsecret");
  });
});
