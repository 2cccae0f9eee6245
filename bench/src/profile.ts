/**
 * `pnpm --filter @repo/bench cpu-profile`: run the api with the V8 CPU profiler on (as `node
 * --cpu-prof`, but only during the measured load), load each route in turn and print the top
 * functions by self time; with two routes, also where the second one's extra time per request goes.
 * BENCH_PROFILE_ROUTES (comma-separated, default /trpc/public,/trpc/protected), BENCH_PROFILE_S
 * (default 10), BENCH_CONNECTIONS (default 50), BENCH_PROFILE_TOP (default 15), BENCH_PIN (default
 * true: the api on a CPU of its own, as `pnpm bench` runs it).
 */
import { exitOnConfigurationError, loadDotEnv } from "@repo/env";
import { profileConfigFromEnv } from "./bench-config.ts";
import { startBenchIssuer } from "./bench-issuer.ts";
import { pinLoadGenerator } from "./cpu-pinning.ts";
import { compareProfiles, profileApi, type RouteProfile } from "./profile-api.ts";
import { renderProfiles } from "./render-console.ts";
import { type BenchRoute, ROUTES } from "./subject-catalog.ts";

const config = exitOnConfigurationError("cpu-profile", () => {
  loadDotEnv();
  return profileConfigFromEnv(
    process.env,
    Object.values(ROUTES).map((r): string => r.path),
  );
});

const plan = pinLoadGenerator(config.pin);
process.stderr.write(
  plan.pinned
    ? `cpu-profile: api on CPU ${plan.pinning.subjectCpus}, load generator on CPU ${plan.pinning.loadCpus}\n`
    : `cpu-profile: not pinned to CPUs: ${plan.reason}\n`,
);
const bench = await startBenchIssuer();
try {
  const profiles = await profileApi({
    env: bench.subjectEnv,
    token: bench.token,
    sub: bench.sub,
    routes: config.routes as BenchRoute["path"][],
    seconds: config.seconds,
    connections: config.connections,
    pinning: plan.pinned ? plan.pinning : undefined,
  });
  const comparison =
    profiles.length === 2
      ? compareProfiles(profiles[0] as RouteProfile, profiles[1] as RouteProfile)
      : undefined;
  const top = config.top;
  const areas = profiles.flatMap((p) => [
    `\n${p.route}: self time by area`,
    ...p.areas.map((a) => `${a.percent.toFixed(1).padStart(6)} %  ${a.area}`),
  ]);
  process.stdout.write(`${[...areas, ...renderProfiles(profiles, comparison, top)].join("\n")}\n`);
} finally {
  await bench.issuer.close();
}
process.exit(0);
