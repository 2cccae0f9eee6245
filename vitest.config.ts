import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import {
  defineConfig,
  type TestProjectInlineConfiguration,
  type ViteUserConfig,
} from "vitest/config";

/**
 * The one vitest configuration of the workspace. Every workspace with tests is a project here, and
 * `pnpm exec vitest run` at the root runs them all. Each package's vitest.config.ts is one line,
 * `export default packageConfig("<name>")`, so that its `test` script (what turbo runs) and
 * `cd <package> && npx vitest run test/<file>.test.ts` use the same options as the root run.
 */
const PROJECTS = {
  "@repo/auth": "packages/auth",
  "@repo/env": "packages/env",
  "@repo/issuer": "packages/issuer",
  "@repo/api-router": "packages/api",
  "@repo/db": "packages/db",
  "@repo/process": "packages/process",
  "@repo/api": "apps/api",
  "@repo/client": "apps/client",
  "@repo/bench": "bench",
  // Tests about the workspace itself (its manifests and import boundaries), in test/ at the root.
  workspace: ".",
} as const;

export type ProjectName = keyof typeof PROJECTS;

/** Options of the whole run: they cannot differ between projects. */
const RUN_OPTIONS = {
  // A rejection or exception outside a test fails the run (vitest's default, kept explicit): a
  // background promise nobody awaited is a bug the suite must report, not swallow.
  dangerouslyIgnoreUnhandledErrors: false,
  // Most test files wait on sockets and child processes, not on the CPU; vitest's default (one
  // worker fewer than the cores: a single worker on a 2-core machine) leaves a core idle. One more
  // than the cores keeps both busy: on 2 cores the api's files take 50 s instead of 80.
  maxWorkers: availableParallelism() + 1,
} as const;

/** One project: where its tests are and how long a test or hook may take. */
export function projectConfig(name: ProjectName): TestProjectInlineConfiguration {
  return {
    test: {
      name,
      // Absolute, so that the project is the same whichever directory vitest starts from.
      root: fileURLToPath(new URL(PROJECTS[name], import.meta.url)),
      include: ["test/**/*.test.ts"],
      // A spawned entry point or an RSA key generation on a loaded 2-core machine can take
      // seconds; no test waits on a timer this long (tests drive time), so this only bounds a hang.
      testTimeout: 20_000,
      hookTimeout: 20_000,
      // Files of a worker share its module cache: the api, tRPC, zod and jose are loaded once per
      // worker rather than once per file (the suite's CPU time falls by a third). Tests start
      // their own servers, issuers and verifiers and restore what they patch (vi.restoreAllMocks,
      // process listeners removed), so no state passes from one file to the next.
      isolate: false,
    },
  };
}

/** The configuration of a run of one package's tests (its `vitest run`). */
export function packageConfig(name: ProjectName): ViteUserConfig {
  const { test } = projectConfig(name);
  return defineConfig({ test: { ...test, ...RUN_OPTIONS } });
}

export default defineConfig({
  test: {
    ...RUN_OPTIONS,
    projects: (Object.keys(PROJECTS) as ProjectName[]).map(projectConfig),
  },
});
