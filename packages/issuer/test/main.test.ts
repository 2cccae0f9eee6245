import { type ChildProcess, spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
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
    "ISSUER_ALLOW_UNSAFE",
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

it.each([
  [
    "NODE_ENV=production",
    { NODE_ENV: "production" },
    "issuer: configuration error: NODE_ENV: is production, and the local issuer hands out tokens with every scope to its demo clients: it refuses to start (ISSUER_ALLOW_UNSAFE=true overrides, unsafe)",
  ],
  [
    "ISSUER_HOST=0.0.0.0",
    { ISSUER_HOST: "0.0.0.0" },
    "issuer: configuration error: ISSUER_HOST: expected a loopback address (localhost, 127.0.0.0/8 or ::1): elsewhere other machines can obtain tokens from the local issuer (ISSUER_ALLOW_UNSAFE=true overrides, unsafe)",
  ],
])("exits 1 with one line, serving nothing, under %s", async (_case, env, line) => {
  const main = startMain({ ISSUER_PORT: "0", ...env });
  expect(await main.exited).toBe(1);
  expect(main.output()).toEqual({ stdout: "", stderr: `${line}\n` });
});

it("starts under NODE_ENV=production on all interfaces with ISSUER_ALLOW_UNSAFE=true, warning about both", async () => {
  const main = startMain({
    ISSUER_PORT: "0",
    ISSUER_HOST: "0.0.0.0",
    NODE_ENV: "production",
    ISSUER_ALLOW_UNSAFE: "true",
  });
  const url = await vi.waitFor(
    () => {
      const found = /url\s+(http:\/\/\S+)/.exec(main.output().stdout)?.[1];
      if (found === undefined) throw new Error("no banner yet");
      return found;
    },
    { timeout: 15_000, interval: 25 },
  );
  expect(main.output().stdout).toMatch(/listening\s+all IPv4 interfaces \(0\.0\.0\.0\)/);
  const tokenUrl = `${url.replace("0.0.0.0", "127.0.0.1")}/oauth2/m2m/token`;
  const token = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: "demo-secret",
      audience: "https://api.example.com",
    }),
  });
  expect(token.status).toBe(200);
  const { stderr } = main.output();
  expect(stderr).toContain("WARNING: the local issuer listens on all IPv4 interfaces (0.0.0.0)");
  expect(stderr).toContain("WARNING: the local issuer runs under NODE_ENV=production");
  main.child.kill("SIGTERM");
  expect(await main.exited).toBe(0);
});

it("exits 1 with one line naming ISSUER_PORT when its port is in use", async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const { port } = holder.address() as AddressInfo;
  try {
    const main = startMain({ ISSUER_PORT: String(port), ISSUER_HOST: "127.0.0.1" });
    expect(await main.exited).toBe(1);
    expect(main.output()).toEqual({
      stdout: "",
      stderr: `issuer: configuration error: ISSUER_PORT: port ${port} on 127.0.0.1 is already in use: stop what listens there or set ISSUER_PORT to a free port\n`,
    });
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});
