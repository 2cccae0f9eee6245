/**
 * `pnpm --filter @repo/bench cpu-profile`: run the api with the V8 CPU profiler on (as `node
 * --cpu-prof`, but only during the measured load), load each route in turn and print the top
 * functions by self time; with two routes, also where the second one's extra time per request goes.
 * BENCH_PROFILE_ROUTES (comma-separated, default /trpc/public,/trpc/protected), BENCH_PROFILE_S
 * (default 10), BENCH_CONNECTIONS (default 50), BENCH_PROFILE_TOP (default 15).
 */
import { startBenchIssuer } from "./bench-issuer.ts";
import { compareProfiles, profileApi, type RouteProfile } from "./profile-api.ts";
import { renderProfiles } from "./render-console.ts";
import { type BenchRoute, ROUTES } from "./subject-catalog.ts";

const known = Object.values(ROUTES).map((r): string => r.path);
const routes = (process.env.BENCH_PROFILE_ROUTES ?? "/trpc/public,/trpc/protected")
  .split(",")
  .map((r) => r.trim());
if (routes.length === 0 || routes.some((r) => !known.includes(r))) {
  process.stderr.write(`BENCH_PROFILE_ROUTES must list routes among ${known.join(", ")}\n`);
  process.exit(2);
}
const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0 || value > 600) {
    process.stderr.write(`${name} must be a number above 0, up to 600\n`);
    process.exit(2);
  }
  return value;
};

const bench = await startBenchIssuer();
try {
  const profiles = await profileApi({
    env: bench.subjectEnv,
    token: bench.token,
    sub: bench.sub,
    routes: routes as BenchRoute["path"][],
    seconds: number("BENCH_PROFILE_S", 10),
    connections: Math.round(number("BENCH_CONNECTIONS", 50)),
  });
  const comparison =
    profiles.length === 2
      ? compareProfiles(profiles[0] as RouteProfile, profiles[1] as RouteProfile)
      : undefined;
  const top = Math.round(number("BENCH_PROFILE_TOP", 15));
  const areas = profiles.flatMap((p) => [
    `\n${p.route}: self time by area`,
    ...p.areas.map((a) => `${a.percent.toFixed(1).padStart(6)} %  ${a.area}`),
  ]);
  process.stdout.write(`${[...areas, ...renderProfiles(profiles, comparison, top)].join("\n")}\n`);
} finally {
  await bench.issuer.close();
}
process.exit(0);
