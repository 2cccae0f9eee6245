/**
 * The client's `dev` task (run by `pnpm turbo dev` under `tsx watch`): development mode unless
 * NODE_ENV already says otherwise (the local issuer stands in for a missing tenant, and API_URL
 * defaults to http://localhost:3000; see isDevelopmentMode in @repo/env), with no client
 * configured the local issuer's demo key client with private_key_jwt and DPoP-bound tokens (see
 * localKeyClientEnv), then wait until the api is ready and run the typed client once. tsx watch runs this file again when the
 * client's source or the api's source (its router and procedures) changes, so a changed procedure
 * is seen end to end.
 *
 * The api restarts on the same change; its old process stops listening (or answers /readyz 503
 * while it drains) before this process has started again, so waiting for a 200 from /readyz waits
 * for the new api.
 *
 * After the run this process stays, idle, until tsx watch restarts it or Ctrl-C stops it, and a
 * stop is exit 0: tsx watch turns Ctrl-C into exit 130 when its program has already ended, which
 * pnpm and turbo report as a failed task.
 */
import { exitOnConfigurationError, loadDotEnv } from "@repo/env";
import { clientConfigFromEnv, localKeyClientEnv } from "./client-config.ts";

// Set in code rather than in the script so that it works in every shell, Windows' included.
process.env.NODE_ENV ??= "development";

// First, so that a stop while waiting for the api is clean too.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));

const POLL_MS = 250;
/** An api that answers but stays unready this long is cold (keys load on the first call): go on. */
const NOT_READY_GRACE_MS = 5_000;

const { apiUrl } = exitOnConfigurationError("client", () => {
  loadDotEnv();
  // Into the environment, where main.ts reads its configuration again.
  Object.assign(process.env, localKeyClientEnv(process.env));
  return clientConfigFromEnv(process.env);
});

await waitUntilReady(`${apiUrl}/readyz`);
await import("./main.ts");
process.stderr.write(
  "client: done; runs again when the client or the api's router changes (Ctrl-C stops)\n",
);
// Nothing else keeps the event loop alive; the longest delay a timer takes.
setInterval(() => {}, 2 ** 31 - 1);

async function waitUntilReady(url: string): Promise<void> {
  let announced = false;
  let answeringSince: number | undefined;
  for (;;) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status,
      () => undefined,
    );
    if (status === 200) return;
    if (status === undefined) answeringSince = undefined;
    else answeringSince ??= Date.now();
    if (answeringSince !== undefined && Date.now() - answeringSince >= NOT_READY_GRACE_MS) {
      process.stderr.write(`client: ${url} answers ${status}; running anyway\n`);
      return;
    }
    if (!announced) {
      process.stderr.write(`client: waiting for ${url}\n`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
