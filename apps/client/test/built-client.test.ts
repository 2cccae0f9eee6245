import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LocalIssuer } from "@repo/issuer";
import { type ProcessRun, runToExit } from "@repo/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningApi } from "./support/issuer-and-api.ts";
import { type IssuerAndApi, startIssuerAndApi } from "./support/issuer-and-api.ts";
import { runMain } from "./support/run-main.ts";

const appDir = fileURLToPath(new URL("..", import.meta.url));

describe("the built client (pnpm build)", () => {
  // The package's own tsdown config, written to a folder of the test's, not to dist/ (a concurrent
  // `pnpm build` may be cleaning it), but inside the package so that its npm dependencies resolve
  // from node_modules as they do for dist/.
  const cache = join(appDir, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, "built-client-"));
  const envDir = mkdtempSync(join(tmpdir(), "built-client-"));
  const emptyDotEnv = join(envDir, ".env");
  let stack: IssuerAndApi | undefined;
  let issuer: LocalIssuer;
  let api: RunningApi;
  let built: ProcessRun;
  /** `node dist/main.js`, as `start:prod` runs it. */
  const builtMain = ["--enable-source-maps", join(outDir, "main.js")];
  beforeAll(async () => {
    writeFileSync(emptyDotEnv, "");
    const tsdown = join(appDir, "node_modules", ".bin", "tsdown");
    [stack, built] = await Promise.all([
      startIssuerAndApi(),
      runToExit({
        command: tsdown,
        args: ["--out-dir", outDir, "--log-level", "error"],
        cwd: appDir,
        env: process.env,
      }),
    ]);
    ({ issuer, api } = stack);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(envDir, { recursive: true, force: true });
  });

  it("runs with plain node (no tsx) and calls the api with the tenant it is given", async () => {
    expect(built.stderr.replace(/^.*Node\.js v20.*deprecated.*\n/m, "")).toBe("");
    expect(built.code).toBe(0);
    expect(readdirSync(outDir).sort()).toEqual(["main.js", "main.js.map"]);

    const { code, stdout, stderr } = await runMain(
      {
        NODE_ENV: undefined,
        DOTENV_PATH: emptyDotEnv,
        AUTHACTION_ISSUER: issuer.issuer,
        AUTHACTION_AUDIENCE: issuer.audience,
        AUTHACTION_CLIENT_ID: "demo-client",
        AUTHACTION_CLIENT_SECRET: "demo-secret",
        API_URL: api.url,
      },
      builtMain,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('protected -> {"message":"This is a protected message!"');
    expect(issuer.requestCounts().token).toBe(1);
  });

  it.each(["development", "test"])(
    "never falls back to the local issuer, even with NODE_ENV=%s: exits 1 with one line naming AUTHACTION_DOMAIN",
    async (mode) => {
      const tokensBefore = issuer.requestCounts().token;
      const { code, stdout, stderr } = await runMain(
        {
          NODE_ENV: mode,
          DOTENV_PATH: emptyDotEnv,
          ISSUER_URL: issuer.issuer,
          API_URL: api.url,
        },
        builtMain,
      );
      expect(stderr).toBe(
        "client: configuration error: AUTHACTION_DOMAIN: is required (or set AUTHACTION_ISSUER): your tenant's host name, e.g. your-tenant.eu.authaction.com; a built dist/main.js never uses the local issuer (pnpm dev does)\n",
      );
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(issuer.requestCounts().token).toBe(tokensBefore);
    },
  );
});
