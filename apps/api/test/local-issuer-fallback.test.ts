import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SpawnedApi, spawnApi } from "./support/start-stack.ts";

const apiDir = fileURLToPath(new URL("..", import.meta.url));
// An empty .env, so that a developer's own .env cannot configure a tenant behind the test's back.
const envDir = mkdtempSync(join(tmpdir(), "api-fallback-"));
const emptyDotEnv = join(envDir, ".env");
writeFileSync(emptyDotEnv, "");

describe("with no tenant configured", () => {
  let issuer: LocalIssuer;
  let api: SpawnedApi | undefined;
  beforeAll(async () => {
    issuer = await startLocalIssuer();
  });
  afterAll(async () => {
    await api?.close();
    await issuer?.close();
    rmSync(envDir, { recursive: true, force: true });
  });

  it("outside production, the real entry point uses the local issuer, says so in one line, and accepts its tokens", async () => {
    // ISSUER_URL is how a developer moves the local issuer off port 9000; tests use it to stay on
    // an ephemeral port. Nothing else is set: no AUTHACTION_* at all, NODE_ENV unset.
    api = await spawnApi({
      NODE_ENV: undefined,
      DOTENV_PATH: emptyDotEnv,
      ISSUER_URL: issuer.issuer,
    });
    const notices = api.logs.filter((line) => line.event === "local_issuer");
    expect(notices).toHaveLength(1);
    expect(notices[0]?.msg).toBe(
      `no tenant configured (AUTHACTION_DOMAIN and AUTHACTION_ISSUER unset) and NODE_ENV is not production: using the local issuer at ${issuer.issuer} (audience https://api.example.com, client demo-client). Not for production.`,
    );
    // The fallback warms the key set, so the api is ready as soon as it listens.
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);

    const token = await issuer.signToken();
    const response = await fetch(`${api.url}/protected`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      message: "This is a protected message!",
      sub: "demo-client@clients",
    });
    expect(api.stderr()).toBe("");
  });

  it("with NODE_ENV=production, exits 1 naming AUTHACTION_DOMAIN in one line", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: apiDir,
      env: {
        PATH: process.env.PATH ?? "",
        NODE_ENV: "production",
        DOTENV_PATH: emptyDotEnv,
        ISSUER_URL: issuer.issuer,
      },
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
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^api: configuration error: AUTHACTION_DOMAIN: is required[^\n]*\n$/);
  });
});
