import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { apiConfigFromEnv } from "../src/index.ts";

const apiDir = fileURLToPath(new URL("..", import.meta.url));

/** Run the api's real entry point with exactly this environment (no .env inherited). */
function runMain(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: apiDir,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...env },
    });
    let stderr = "";
    let stdout = "";
    let signalled = false;
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", (d) => {
      stdout += d;
      if (!signalled && stdout.includes('"event":"listening"')) {
        signalled = true;
        child.kill("SIGTERM");
      }
    });
    child.on("exit", (code) => resolve({ code, stderr, stdout }));
  });
}

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
    const { code, stderr } = await runMain({ AUTHACTION_DOMAIN: "tenant.example.com" });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^api: configuration error: AUTHACTION_AUDIENCE: is required/);
    expect(stderr).not.toMatch(/at .*\.ts/);
  });

  it("the real entry point starts with a valid environment and stops cleanly on SIGTERM", async () => {
    const { code, stdout } = await runMain({
      AUTHACTION_ISSUER: "http://127.0.0.1:9",
      AUTHACTION_AUDIENCE: "https://api.example.com",
      PORT: "0",
      HOST: "127.0.0.1",
    });
    expect(stdout).toContain('"event":"listening"');
    expect(code).toBe(0);
  });
});
