/**
 * `pnpm demo`: the whole mission in one command, offline. Starts the local issuer and the api on
 * ephemeral ports with their real entry points, runs the typed client against them twice (the
 * demo key client with private_key_jwt and DPoP-bound tokens, then the demo client with its secret
 * and bearer tokens), prints what the client printed, shuts everything down and exits 0 when both
 * runs did.
 */
import { fileURLToPath } from "node:url";
import { LOCAL_ISSUER_DEFAULTS } from "@repo/issuer/defaults";
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
      // The demo clients, whatever a .env registers.
      ISSUER_CLIENTS: "",
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
  // DPoP allowed (the api's default), so that both clients below are served whatever a .env says;
  // no public URL, so that proofs are checked against the address the api listens on.
  const api = await spawnApi(
    {
      ...env,
      ...tenant,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      API_PUBLIC_URL: "",
      AUTHACTION_DPOP: "allowed",
    },
    { timeoutMs: START_TIMEOUT_MS },
  );
  children.push({ name: "api", process: api });
  console.log(`demo: the api listens on ${api.ready.url}`);

  // Every client variable is set (empty means unset) so that a .env cannot mix the two clients.
  const { keyClient } = LOCAL_ISSUER_DEFAULTS;
  const clients = [
    {
      title: `${keyClient.clientId}, private_key_jwt + DPoP`,
      env: {
        AUTHACTION_CLIENT_ID: keyClient.clientId,
        AUTHACTION_CLIENT_AUTH_METHOD: "private_key_jwt",
        AUTHACTION_CLIENT_PRIVATE_KEY: JSON.stringify(keyClient.privateJwk),
        AUTHACTION_CLIENT_SECRET: "",
        AUTHACTION_DPOP: "true",
      },
    },
    {
      title: `${LOCAL_ISSUER_DEFAULTS.clientId}, client secret + Bearer (as with AuthAction today)`,
      env: {
        AUTHACTION_CLIENT_ID: LOCAL_ISSUER_DEFAULTS.clientId,
        AUTHACTION_CLIENT_AUTH_METHOD: "",
        AUTHACTION_CLIENT_PRIVATE_KEY: "",
        AUTHACTION_CLIENT_SECRET: LOCAL_ISSUER_DEFAULTS.clientSecret,
        AUTHACTION_DPOP: "false",
      },
    },
  ];
  const codes: number[] = [];
  for (const [i, client] of clients.entries()) {
    console.log(`\ndemo: client ${i + 1} of ${clients.length}: ${client.title}`);
    const run = await runToExit({
      command: process.execPath,
      args: ["--import", "tsx", "src/main.ts"],
      cwd: `${root}apps/client`,
      env: { ...env, ...tenant, API_URL: api.ready.url, ...client.env },
      echo: true,
    });
    codes.push(run.code ?? 1);
  }
  exitCode = codes.every((code) => code === 0) ? 0 : 1;
  console.log(`\ndemo: client exit codes ${codes.join(", ")}`);
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
