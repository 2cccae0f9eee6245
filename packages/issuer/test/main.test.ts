import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it, vi } from "vitest";

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
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
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

it("prints the NOT FOR PRODUCTION banner, serves, and exits 0 on SIGTERM", async () => {
  const main = startMain({ ISSUER_PORT: "0", ISSUER_ADMIN: "true" });
  // Fails loudly, with what it printed, if the banner never names the URL it listens on.
  const url = await vi.waitFor(
    () => {
      const { stdout, stderr } = main.output();
      const listening = /listening\s+(http:\/\/\S+)/.exec(stdout)?.[1];
      if (listening === undefined)
        throw new Error(`not listening yet; stdout: ${stdout} ${stderr}`);
      return listening;
    },
    { timeout: 15_000, interval: 25 },
  );
  const { stdout } = main.output();
  expect(stdout).toContain("NOT FOR PRODUCTION");
  expect(stdout).toContain("demo-client / demo-secret");
  expect(stdout).toMatch(/token url\s+http:\/\/127\.0\.0\.1:\d+\/oauth2\/m2m\/token/);

  expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200);
  expect((await fetch(`${url}/__admin/counts`)).status).toBe(200);
  main.child.kill("SIGTERM");
  expect(await main.exited).toBe(0);
});
