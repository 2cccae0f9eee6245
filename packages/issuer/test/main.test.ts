import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { type ChildEnv, issuerLaunch, runToExit, spawnIssuer } from "@repo/process";
import { expect, it } from "vitest";
import { DEFAULT_CLIENTS } from "../src/index.ts";

// Set but empty means "default", and set variables beat any developer's .env file; NODE_ENV is
// left unset, as `pnpm --filter @repo/issuer start` leaves it.
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

/** The entry point's environment: exactly PATH, the defaults over .env, then `env`. */
const mainEnv = (env: ChildEnv): ChildEnv => ({
  NODE_ENV: undefined,
  ...DEFAULTS_OVER_DOTENV,
  ...env,
});

/** The entry point run to its end (it refuses to start). */
const runMain = (env: ChildEnv) => runToExit(issuerLaunch(mainEnv(env)));

it("exits 1 with one line naming ISSUER_PORT when it is not a port", async () => {
  const { code, stderr } = await runMain({ ISSUER_PORT: "abc" });
  expect(code).toBe(1);
  expect(stderr.trim()).toBe(
    "issuer: configuration error: ISSUER_PORT: expected a TCP port (default 9000), from 0 to 65535",
  );
});

it("prints the NOT FOR PRODUCTION banner without secrets, serves, and exits 0 on SIGTERM", async () => {
  const main = await spawnIssuer(
    mainEnv({
      ISSUER_PORT: "0",
      ISSUER_ADMIN: "true",
      ISSUER_CLIENTS: JSON.stringify([
        ...DEFAULT_CLIENTS,
        { clientId: "ci-bot", clientSecret: "custom-s3cr3t-value", scopes: [] },
      ]),
    }),
  );
  try {
    const { url } = main.ready;
    const stdout = main.stdout();
    expect(stdout).toContain("NOT FOR PRODUCTION");
    expect(stdout).toMatch(/listening\s+127\.0\.0\.1, port \d+\n/);
    expect(stdout).toContain("demo-client (demo secret, see README)");
    expect(main.ready.tokenUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2\/m2m\/token$/);
    expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200);
    expect((await fetch(`${url}/__admin/counts`)).status).toBe(200);
  } finally {
    expect(await main.stop()).toBe(0);
  }
  // Read once the child has exited: all it wrote is in.
  expect(main.stderr()).not.toContain("WARNING");
  const all = main.stdout() + main.stderr();
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
  expect(await runMain({ ISSUER_PORT: "0", ...env })).toEqual({
    code: 1,
    stdout: "",
    stderr: `${line}\n`,
  });
});

it("starts under NODE_ENV=production on all interfaces with ISSUER_ALLOW_UNSAFE=true, warning about both", async () => {
  const main = await spawnIssuer(
    mainEnv({
      ISSUER_PORT: "0",
      ISSUER_HOST: "0.0.0.0",
      NODE_ENV: "production",
      ISSUER_ALLOW_UNSAFE: "true",
    }),
  );
  try {
    expect(main.stdout()).toMatch(/listening\s+all IPv4 interfaces \(0\.0\.0\.0\)/);
    const tokenUrl = main.ready.tokenUrl.replace("0.0.0.0", "127.0.0.1");
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
  } finally {
    expect(await main.stop()).toBe(0);
  }
  const stderr = main.stderr();
  expect(stderr).toContain("WARNING: the local issuer listens on all IPv4 interfaces (0.0.0.0)");
  expect(stderr).toContain("WARNING: the local issuer runs under NODE_ENV=production");
});

it("exits 1 with one line naming ISSUER_PORT when its port is in use", async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const { port } = holder.address() as AddressInfo;
  try {
    expect(await runMain({ ISSUER_PORT: String(port), ISSUER_HOST: "127.0.0.1" })).toEqual({
      code: 1,
      stdout: "",
      stderr: `issuer: configuration error: ISSUER_PORT: port ${port} on 127.0.0.1 is already in use: stop what listens there or set ISSUER_PORT to a free port\n`,
    });
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});
