/**
 * `pnpm dev`: the local issuer and the api in watch mode, through turbo, with zero configuration.
 * When neither the environment nor a .env names a tenant, the api is pointed at the local issuer.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { exitOnConfigurationError, loadDotEnv } from "@repo/env";

const root = fileURLToPath(new URL("..", import.meta.url));
// What the apps will see: the environment, then the repository's .env for what it leaves unset.
const env: NodeJS.ProcessEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" };
exitOnConfigurationError("dev", () => loadDotEnv({ env }));
const configured = (name: string) => Boolean(env[name]);

const issuerPort = env.ISSUER_PORT ?? "9000";
const apiPort = env.PORT ?? "3000";
const local = !configured("AUTHACTION_DOMAIN") && !configured("AUTHACTION_ISSUER");
if (local) {
  env.AUTHACTION_ISSUER = `http://localhost:${issuerPort}`;
  env.AUTHACTION_AUDIENCE ??= "https://api.example.com";
}

const clientEnv = local
  ? `API_URL=http://localhost:${apiPort} AUTHACTION_ISSUER=http://localhost:${issuerPort} AUTHACTION_AUDIENCE=${env.AUTHACTION_AUDIENCE} AUTHACTION_CLIENT_ID=demo-client AUTHACTION_CLIENT_SECRET=demo-secret `
  : `API_URL=http://localhost:${apiPort} `;
console.log(
  [
    local
      ? `dev: local issuer on http://localhost:${issuerPort} (not for production), api on http://localhost:${apiPort}`
      : `dev: api on http://localhost:${apiPort}, tenant from your environment/.env`,
    "dev: in another terminal, run the client with:",
    `  ${clientEnv}pnpm --filter @repo/client start`,
    "",
  ].join("\n"),
);

const child = spawn(
  "pnpm",
  ["exec", "turbo", "run", "dev", "--filter=@repo/issuer", "--filter=@repo/api"],
  {
    cwd: root,
    env,
    stdio: "inherit",
  },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
