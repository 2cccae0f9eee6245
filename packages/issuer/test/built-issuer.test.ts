import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";

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
    const tsdown = spawn(
      join(packageDir, "node_modules", ".bin", "tsdown"),
      ["--out-dir", outDir, "--log-level", "error"],
      { cwd: packageDir, stdio: "ignore" },
    );
    const [built] = await once(tsdown, "close");
    expect(built).toBe(0);
    expect(readdirSync(outDir).sort()).toEqual(["main.js", "main.js.map"]);
  });

  /** `node dist/main.js` with exactly `env` (plus PATH), as `start:prod` runs it. */
  function startBuilt(env: Record<string, string>) {
    const issuer = spawn(process.execPath, ["--enable-source-maps", join(outDir, "main.js")], {
      cwd: packageDir,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Should the test time out while waiting, the process must not outlive it.
    onTestFinished(() => {
      if (issuer.exitCode === null && issuer.signalCode === null) issuer.kill("SIGKILL");
    });
    let stdout = "";
    let stderr = "";
    issuer.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    issuer.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) =>
      issuer.on("close", (code) => resolve(code)),
    );
    return { issuer, exited, output: () => ({ stdout, stderr }) };
  }

  it("runs with plain node (no tsx) and serves its discovery document", async () => {
    const { issuer, output } = startBuilt({ NODE_ENV: "test", ISSUER_PORT: "0" });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        issuer.stdout.on("data", () => {
          const listening = /url\s+(http:\/\/\S+)/.exec(output().stdout);
          if (listening?.[1] !== undefined) resolve(listening[1]);
        });
        issuer.once("exit", (code) =>
          reject(new Error(`issuer exited with ${code}: ${output().stdout}`)),
        );
      });
      const response = await fetch(`${url}/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        issuer: url,
        token_endpoint: expect.any(String),
      });
    } finally {
      const exited = once(issuer, "exit");
      issuer.kill("SIGTERM");
      await exited;
    }
  });

  it.each([
    ["NODE_ENV=production", { NODE_ENV: "production" }, "NODE_ENV"],
    ["ISSUER_HOST=0.0.0.0", { NODE_ENV: "test", ISSUER_HOST: "0.0.0.0" }, "ISSUER_HOST"],
    ["ISSUER_HOST=::", { NODE_ENV: "test", ISSUER_HOST: "::" }, "ISSUER_HOST"],
  ])("exits 1 with one line naming the variable under %s", async (_case, env, variable) => {
    const built = startBuilt({ ISSUER_PORT: "0", ...env });
    expect(await built.exited).toBe(1);
    const { stdout, stderr } = built.output();
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      new RegExp(
        `^issuer: configuration error: ${variable}: [^\\n]*ISSUER_ALLOW_UNSAFE=true[^\\n]*\\n$`,
      ),
    );
  });

  it("starts under NODE_ENV=production with ISSUER_ALLOW_UNSAFE=true, warning on stderr", async () => {
    const built = startBuilt({
      NODE_ENV: "production",
      ISSUER_PORT: "0",
      ISSUER_ALLOW_UNSAFE: "true",
    });
    const url = await new Promise<string>((resolve, reject) => {
      built.issuer.stdout.on("data", () => {
        const listening = /url\s+(http:\/\/\S+)/.exec(built.output().stdout);
        if (listening?.[1] !== undefined) resolve(listening[1]);
      });
      built.issuer.once("exit", (code) => reject(new Error(`issuer exited with ${code}`)));
    });
    expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200);
    expect(built.output().stderr).toContain(
      "WARNING: the local issuer runs under NODE_ENV=production",
    );
    built.issuer.kill("SIGTERM");
    expect(await built.exited).toBe(0);
  });
});
