import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { issuerLaunch, runToExit, spawnIssuer } from "@repo/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("the built issuer (pnpm build)", () => {
  // The package's own tsdown config, written to a folder of the test's, not to dist/ (a concurrent
  // `pnpm build` may be cleaning it), but inside the package so that its npm dependencies resolve
  // from node_modules as they do for dist/.
  const cache = join(packageDir, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, "built-issuer-"));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  beforeAll(async () => {
    const build = await runToExit({
      command: join(packageDir, "node_modules", ".bin", "tsdown"),
      args: ["--out-dir", outDir, "--log-level", "error"],
      cwd: packageDir,
      env: process.env,
    });
    expect(build.code, build.stderr).toBe(0);
    expect(readdirSync(outDir).sort()).toEqual(["main.js", "main.js.map"]);
  });

  /** `node dist/main.js`, as `start:prod` runs it (with the environment issuerLaunch gives). */
  const built = { args: ["--enable-source-maps", join(outDir, "main.js")] };

  it("runs with plain node (no tsx) and serves its discovery document", async () => {
    const issuer = await spawnIssuer({}, built);
    try {
      const { url } = issuer.ready;
      const response = await fetch(`${url}/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        issuer: url,
        token_endpoint: expect.any(String),
      });
    } finally {
      expect(await issuer.stop()).toBe(0);
    }
  });

  it.each([
    ["NODE_ENV=production", { NODE_ENV: "production" }, "NODE_ENV"],
    ["ISSUER_HOST=0.0.0.0", { NODE_ENV: "test", ISSUER_HOST: "0.0.0.0" }, "ISSUER_HOST"],
    ["ISSUER_HOST=::", { NODE_ENV: "test", ISSUER_HOST: "::" }, "ISSUER_HOST"],
  ])("exits 1 with one line naming the variable under %s", async (_case, env, variable) => {
    const { code, stdout, stderr } = await runToExit(issuerLaunch(env, built));
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      new RegExp(
        `^issuer: configuration error: ${variable}: [^\\n]*ISSUER_ALLOW_UNSAFE=true[^\\n]*\\n$`,
      ),
    );
  });

  it("starts under NODE_ENV=production with ISSUER_ALLOW_UNSAFE=true, warning on stderr", async () => {
    const issuer = await spawnIssuer(
      { NODE_ENV: "production", ISSUER_ALLOW_UNSAFE: "true" },
      built,
    );
    try {
      expect((await fetch(issuer.ready.jwksUri)).status).toBe(200);
    } finally {
      expect(await issuer.stop()).toBe(0);
    }
    expect(issuer.stderr()).toContain("WARNING: the local issuer runs under NODE_ENV=production");
  });
});
