import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("the built issuer (pnpm build)", () => {
  // The package's own tsdown config, written to a folder of the test's, not to dist/ (a concurrent
  // `pnpm build` may be cleaning it), but inside the package so that its npm dependencies resolve
  // from node_modules as they do for dist/.
  const cache = join(packageDir, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, "built-issuer-"));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it("runs with plain node (no tsx) and serves its discovery document", async () => {
    const tsdown = spawn(
      join(packageDir, "node_modules", ".bin", "tsdown"),
      ["--out-dir", outDir, "--log-level", "error"],
      { cwd: packageDir, stdio: "ignore" },
    );
    const [built] = await once(tsdown, "close");
    expect(built).toBe(0);
    expect(readdirSync(outDir).sort()).toEqual(["main.js", "main.js.map"]);

    const issuer = spawn(process.execPath, ["--enable-source-maps", join(outDir, "main.js")], {
      cwd: packageDir,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ISSUER_PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Should the test time out while waiting, the process must not outlive it.
    onTestFinished(() => {
      if (issuer.exitCode === null && issuer.signalCode === null) issuer.kill("SIGKILL");
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = "";
        issuer.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          stdout += chunk;
          const listening = /url\s+(http:\/\/\S+)/.exec(stdout);
          if (listening?.[1] !== undefined) resolve(listening[1]);
        });
        issuer.once("exit", (code) => reject(new Error(`issuer exited with ${code}: ${stdout}`)));
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
});
