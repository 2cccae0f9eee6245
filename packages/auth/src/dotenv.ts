import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Load `.env` from `fromDir` and from each parent up to the workspace root (the folder with
 * pnpm-workspace.yaml), nearest first. Variables already in the environment win, so a real
 * environment always overrides the file. Uses Node's own parser (process.loadEnvFile, Node 20.12+)
 * rather than a dotenv dependency. Skipped when NODE_ENV is "test", so that a developer's `.env`
 * never leaks into the test suite.
 */
export function loadDotEnv(fromDir: string = process.cwd()): string[] {
  const loaded: string[] = [];
  if (process.env.NODE_ENV === "test") return loaded;
  let dir = fromDir;
  for (;;) {
    const file = join(dir, ".env");
    if (existsSync(file)) {
      process.loadEnvFile(file);
      loaded.push(file);
    }
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return loaded;
}
