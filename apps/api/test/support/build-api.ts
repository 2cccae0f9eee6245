import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runToExit } from "@repo/process";
import type { EntryPointLaunch } from "./start-stack.ts";

const apiDir = fileURLToPath(new URL("../..", import.meta.url));

/** The api as `pnpm build` builds it, in a folder of the test's; `remove()` deletes the folder. */
export interface BuiltApi {
  /** `node --enable-source-maps <folder>/main.js`, as `start:prod` runs dist/main.js. */
  readonly launch: EntryPointLaunch;
  /** Resolves once tsdown has written the bundle. */
  build(): Promise<void>;
  remove(): void;
}

/**
 * The package's own build (tsdown, what `pnpm build` writes to dist/) into a new folder inside the
 * package, so that anything left external resolves as it does for dist/; not dist/ itself, which a
 * concurrent `pnpm build` may be cleaning.
 */
export function builtApi(): BuiltApi {
  const cache = join(apiDir, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, "built-api-"));
  return {
    launch: { args: ["--enable-source-maps", join(outDir, "main.js")], cwd: apiDir },
    build: () => buildApi(outDir),
    remove: () => rmSync(outDir, { recursive: true, force: true }),
  };
}

/** The package's own build into `outDir`: a folder of the test's, never dist/ itself. */
export async function buildApi(outDir: string): Promise<void> {
  const build = await runToExit({
    command: join(apiDir, "node_modules", ".bin", "tsdown"),
    args: ["--out-dir", outDir, "--log-level", "error"],
    cwd: apiDir,
    env: process.env,
  });
  if (build.code !== 0) throw new Error(`tsdown exited ${build.code}: ${build.stderr}`);
}
