import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createLogger, type RunningApi, startApi } from "@repo/api";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const appDir = fileURLToPath(new URL("..", import.meta.url));

/** Run `node --import tsx src/main.ts` with exactly `env` (plus PATH), as a user would. */
function runMain(env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: appDir,
      // NODE_ENV=test keeps a developer's .env files out (loadDotEnv skips them).
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("main.ts", () => {
  it("names a missing variable in one line on stderr, exits non-zero, no stack trace", async () => {
    const { code, stdout, stderr } = await runMain({ AUTHACTION_ISSUER: "http://127.0.0.1:9" });
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toEqual([
      "client: configuration error: AUTHACTION_CLIENT_ID: is required: the client ID of your machine-to-machine application",
    ]);
  });

  it("names a malformed API_URL", async () => {
    const { code, stderr } = await runMain({ API_URL: "localhost:3000" });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/^client: configuration error: API_URL: expected .+\n$/);
  });

  describe("with the real issuer and api", () => {
    let issuer: LocalIssuer;
    let api: RunningApi;
    beforeAll(async () => {
      issuer = await startLocalIssuer();
      api = await startApi({
        log: createLogger("silent"),
        host: "127.0.0.1",
        verifier: { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri },
      });
    });
    afterAll(async () => {
      await api?.close();
      await issuer?.close();
    });

    it("prints the three results and exits 0", async () => {
      const { code, stdout, stderr } = await runMain({
        API_URL: api.url,
        AUTHACTION_ISSUER: issuer.url,
        AUTHACTION_CLIENT_ID: "demo-client",
        AUTHACTION_CLIENT_SECRET: "demo-secret",
        AUTHACTION_AUDIENCE: issuer.audience,
      });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toContain('public    -> {"message":"This is a public message!"}\n');
      expect(stdout).toContain('secret    -> {"message":"This is a secret message!"');
      expect(issuer.requestCounts().token).toBe(1);
    });
  });
});
