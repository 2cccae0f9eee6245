/**
 * `pnpm demo`: the whole mission in one command, offline. Starts the local issuer and the api on
 * free ports with their real entry points, runs the typed client against them, prints what the
 * client printed, shuts everything down and exits with the client's exit code.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { freePort } from "./free-port.ts";

// Development mode for the three children (they inherit it) unless NODE_ENV says otherwise; every
// URL below is on loopback, so the demo runs in production mode as well.
process.env.NODE_ENV ??= "development";

const root = fileURLToPath(new URL("..", import.meta.url));
const AUDIENCE = "https://api.example.com";

function startApp(dir: string, env: Record<string, string>, quiet: boolean): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: `${root}${dir}`,
    env: { ...process.env, ...env },
    stdio: ["ignore", quiet ? "ignore" : "inherit", "inherit"],
  });
  return child;
}

async function waitFor(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not answer ${url} within 30 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
}

const [issuerPort, apiPort] = [await freePort(), await freePort()];
const issuerUrl = `http://127.0.0.1:${issuerPort}`;
const apiUrl = `http://127.0.0.1:${apiPort}`;
// Every URL is set explicitly so that a .env aimed at a real tenant cannot redirect the demo.
const tenant = {
  AUTHACTION_ISSUER: issuerUrl,
  AUTHACTION_AUDIENCE: AUDIENCE,
  AUTHACTION_JWKS_URI: `${issuerUrl}/.well-known/jwks.json`,
  AUTHACTION_TOKEN_URL: `${issuerUrl}/oauth2/m2m/token`,
};
const children: ChildProcess[] = [];
let exitCode = 1;
try {
  console.log(`demo: starting the local issuer on ${issuerUrl} (not for production)`);
  const issuer = startApp(
    "packages/issuer",
    {
      ISSUER_PORT: String(issuerPort),
      ISSUER_HOST: "127.0.0.1",
      ISSUER_URL: issuerUrl,
      AUTHACTION_AUDIENCE: AUDIENCE,
    },
    true,
  );
  children.push(issuer);
  await waitFor(`${issuerUrl}/.well-known/openid-configuration`, issuer, "issuer");

  console.log(`demo: starting the api on ${apiUrl}`);
  const api = startApp(
    "apps/api",
    { ...tenant, PORT: String(apiPort), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
    false,
  );
  children.push(api);
  await waitFor(`${apiUrl}/healthz`, api, "api");

  console.log("demo: running the client (demo-client, client credentials)\n");
  const client = startApp(
    "apps/client",
    {
      ...tenant,
      API_URL: apiUrl,
      AUTHACTION_CLIENT_ID: "demo-client",
      AUTHACTION_CLIENT_SECRET: "demo-secret",
    },
    false,
  );
  children.push(client);
  const [code] = (await once(client, "exit")) as [number | null];
  exitCode = code ?? 1;
  console.log(`\ndemo: client exited with code ${exitCode}`);
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await Promise.all(children.map(stop));
}
process.exit(exitCode);
