import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

function buildApi(outDir: string): Promise<void> {
  const tsdown = join(apiDir, "node_modules", ".bin", "tsdown");
  return new Promise((resolve, reject) => {
    const child = spawn(tsdown, ["--out-dir", outDir, "--log-level", "error"], {
      cwd: apiDir,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`tsdown exited ${code}: ${stderr}`)),
    );
  });
}
