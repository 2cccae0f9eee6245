import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT_ENV = fileURLToPath(new URL("../../../.env", import.meta.url));

/**
 * Loads `.env` from the working directory, then from the repo root. Variables already set win
 * (process.loadEnvFile never overwrites), so the shell beats the cwd file beats the root file.
 */
export function loadEnvFiles(cwd: string = process.cwd()): string[] {
  const candidates = [...new Set([resolve(cwd, ".env"), REPO_ROOT_ENV])];
  const loaded = candidates.filter((path) => existsSync(path));
  for (const path of loaded) process.loadEnvFile(path);
  return loaded;
}
