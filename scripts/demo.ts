/**
 * `pnpm demo`: the whole mission in one command, offline. Starts the local issuer and the api on
 * ephemeral ports with their real entry points, runs the typed client against them, prints what the
 * client printed, shuts everything down and exits with the client's exit code.
 */
import { fileURLToPath } from "node:url";
import { type RunningProcess, runToExit, spawnApi, spawnIssuer } from "@repo/process";

const root = fileURLToPath(new URL("..", import.meta.url));
const AUDIENCE = "https://api.example.com";
/** Generous: the first start on a cold machine compiles every module through tsx. */
const START_TIMEOUT_MS = 30_000;

// Development mode for the three children unless NODE_ENV says otherwise; every URL below is on
// loopback, so the demo runs in production mode as well.
const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? "development" };

const children: Array<{ readonly name: string; readonly process: RunningProcess }> = [];
let exitCode = 1;
let clientFailed = false;
try {
  // Every address is set explicitly (empty means the default) so that a .env aimed at a real
  // tenant cannot redirect the demo.
  const issuer = await spawnIssuer(
    {
      ...env,
      ISSUER_PORT: "0",
      ISSUER_HOST: "127.0.0.1",
      ISSUER_URL: "",
      AUTHACTION_AUDIENCE: AUDIENCE,
    },
    { timeoutMs: START_TIMEOUT_MS },
  );
  children.push({ name: "issuer", process: issuer });
  console.log(`demo: the local issuer listens on ${issuer.ready.url} (not for production)`);
  const tenant = {
    AUTHACTION_ISSUER: issuer.ready.issuer,
    AUTHACTION_AUDIENCE: AUDIENCE,
    AUTHACTION_JWKS_URI: issuer.ready.jwksUri,
    AUTHACTION_TOKEN_URL: issuer.ready.tokenUrl,
  };

  // LOG_LEVEL info: the api says where it listens in its `listening` line.
  const api = await spawnApi(
    { ...env, ...tenant, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" },
    { timeoutMs: START_TIMEOUT_MS },
  );
  children.push({ name: "api", process: api });
  console.log(`demo: the api listens on ${api.ready.url}`);

  console.log("demo: running the client (demo-client, client credentials)\n");
  const client = await runToExit({
    command: process.execPath,
    args: ["--import", "tsx", "src/main.ts"],
    cwd: `${root}apps/client`,
    env: {
      ...env,
      ...tenant,
      API_URL: api.ready.url,
      AUTHACTION_CLIENT_ID: "demo-client",
      AUTHACTION_CLIENT_SECRET: "demo-secret",
    },
    echo: true,
  });
  exitCode = client.code ?? 1;
  console.log(`\ndemo: client exited with code ${exitCode}`);
  clientFailed = exitCode !== 0;
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await Promise.all(children.map((child) => child.process.stop()));
}
if (clientFailed) {
  // What the servers said, for whoever has to find out why the client failed.
  for (const child of children) {
    console.error(
      `\ndemo: the ${child.name}'s output\n${child.process.stdout()}${child.process.stderr()}`,
    );
  }
}
process.exit(exitCode);
