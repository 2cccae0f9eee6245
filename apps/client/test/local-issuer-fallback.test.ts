import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalIssuer } from "@repo/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningApi } from "./support/issuer-and-api.ts";
import { type IssuerAndApi, startIssuerAndApi } from "./support/issuer-and-api.ts";
import { runMain } from "./support/run-main.ts";

// An empty .env, so that a developer's own .env cannot configure a tenant behind the test's back.
const envDir = mkdtempSync(join(tmpdir(), "client-fallback-"));
const emptyDotEnv = join(envDir, ".env");
writeFileSync(emptyDotEnv, "");

/** The client's real entry point with exactly `env` (plus PATH and the empty .env), NODE_ENV unset unless given. */
const runMainWith = (env: Record<string, string>) =>
  runMain({ NODE_ENV: undefined, DOTENV_PATH: emptyDotEnv, ...env });

describe("with no tenant configured", () => {
  let stack: IssuerAndApi | undefined;
  let issuer: LocalIssuer;
  let api: RunningApi;
  beforeAll(async () => {
    stack = await startIssuerAndApi();
    ({ issuer, api } = stack);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(envDir, { recursive: true, force: true });
  });

  it("in development mode (NODE_ENV=development), calls the api with the local issuer's demo client and says so in one line", async () => {
    // ISSUER_URL moves the local issuer off port 9000 (tests stay on ephemeral ports); API_URL
    // moves the api off 3000. No AUTHACTION_* variable is set.
    const { code, stdout, stderr } = await runMainWith({
      NODE_ENV: "development",
      ISSUER_URL: issuer.issuer,
      API_URL: api.url,
    });
    expect(stderr).toBe(
      `client: no tenant configured (AUTHACTION_DOMAIN and AUTHACTION_ISSUER unset) and NODE_ENV=development: using the local issuer at ${issuer.issuer} (audience https://api.example.com, client demo-client). Not for production.\n`,
    );
    expect(code).toBe(0);
    expect(stdout).toContain('public    -> {"message":"This is a public message!"}\n');
    expect(stdout).toContain('secret    -> {"message":"This is a secret message!"');
    expect(issuer.requestCounts().token).toBe(1);
  });

  it.each([
    ["unset", {}],
    ["production", { NODE_ENV: "production" }],
    ["Production", { NODE_ENV: "Production" }],
    ["staging", { NODE_ENV: "staging" }],
  ])(
    "with NODE_ENV %s, exits 1 with one line naming AUTHACTION_DOMAIN and asks the local issuer nothing",
    async (_, mode) => {
      const tokensBefore = issuer.requestCounts().token;
      const { code, stdout, stderr } = await runMainWith({
        ...mode,
        ISSUER_URL: issuer.issuer,
        API_URL: api.url,
      });
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        "client: configuration error: AUTHACTION_DOMAIN: is required (or set AUTHACTION_ISSUER): your tenant's host name, e.g. your-tenant.eu.authaction.com; NODE_ENV=development uses the local issuer instead, for development only\n",
      );
      expect(issuer.requestCounts().token).toBe(tokensBefore);
    },
  );
});
