import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const apiDir = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The package's own build (what `pnpm build` writes to dist/), into `outDir`: a folder of the
 * test's, never dist/ itself, which a concurrent `pnpm build` may be cleaning.
 */
export function buildApi(outDir: string): Promise<void> {
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
