import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it, vi } from "vitest";
import { DEFAULT_CLIENTS } from "../src/index.ts";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

// Set but empty means "default", and set variables beat any developer's .env file.
const DEFAULTS_OVER_DOTENV = Object.fromEntries(
  [
    "ISSUER_PORT",
    "ISSUER_HOST",
    "ISSUER_URL",
    "AUTHACTION_AUDIENCE",
    "ISSUER_CLIENTS",
    "ISSUER_TOKEN_LIFETIME_SECONDS",
    "ISSUER_ADMIN",
  ].map((name) => [name, ""]),
);

function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: packageDir,
    env: { PATH: process.env.PATH, ...DEFAULTS_OVER_DOTENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => resolve(code)),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

it("exits 1 with one line naming ISSUER_PORT when it is not a port", async () => {
  const main = startMain({ ISSUER_PORT: "abc" });
  expect(await main.exited).toBe(1);
  const { stderr } = main.output();
  expect(stderr.trim()).toBe(
    "issuer: configuration error: ISSUER_PORT: expected a TCP port (default 9000), from 0 to 65535",
  );
});

it("prints the NOT FOR PRODUCTION banner without secrets, serves, and exits 0 on SIGTERM", async () => {
  const main = startMain({
    ISSUER_PORT: "0",
    ISSUER_ADMIN: "true",
    ISSUER_CLIENTS: JSON.stringify([
      ...DEFAULT_CLIENTS,
      { clientId: "ci-bot", clientSecret: "custom-s3cr3t-value", scopes: [] },
    ]),
  });
  // Fails loudly if the banner never comes.
  const url = await vi.waitFor(
    () => {
      const found = /url\s+(http:\/\/\S+)/.exec(main.output().stdout)?.[1];
      if (found === undefined) throw new Error("no banner yet");
      return found;
    },
    { timeout: 15_000, interval: 25 },
  );
  const { stdout } = main.output();
  expect(stdout).toContain("NOT FOR PRODUCTION");
  expect(stdout).toMatch(/listening\s+127\.0\.0\.1, port \d+\n/);
  expect(stdout).toContain("demo-client (demo secret, see README)");
  expect(stdout).toMatch(/token url\s+http:\/\/127\.0\.0\.1:\d+\/oauth2\/m2m\/token/);
  expect(main.output().stderr).not.toContain("WARNING");

  expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200);
  expect((await fetch(`${url}/__admin/counts`)).status).toBe(200);
  main.child.kill("SIGTERM");
  expect(await main.exited).toBe(0);
  const all = main.output().stdout + main.output().stderr;
  for (const secret of ["demo-secret", "limited-secret", "custom-s3cr3t-value"]) {
    expect(all).not.toContain(secret);
  }
});
