/** Subject: this api, started by its real startApi with the default verifier options. */
import { createLogger, startApi } from "@repo/api";
import { announceListening, BENCH_HOST, readSubjectEnv } from "./subject-runtime.ts";

const env = readSubjectEnv();
const api = await startApi({
  verifier: { issuer: env.issuer, audience: env.audience, jwksUri: env.jwksUri },
  // warn: refusals (the 401 checks) are logged at info and would only add noise.
  log: createLogger("warn"),
  port: 0,
  host: BENCH_HOST,
});
announceListening(api.url, () => api.close());
