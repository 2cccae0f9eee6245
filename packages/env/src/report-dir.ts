import { join } from "node:path";

/** The flag that lets `pnpm bench` and `pnpm soak` rewrite the tracked pages under docs/. */
export const UPDATE_DOCS_FLAG = "--update-docs";

/**
 * Where a measuring script writes its report: `<root>/docs` when `argv` holds `--update-docs`,
 * else `<root>/reports` (git-ignored), so that an ordinary run leaves `git status` clean.
 */
export function reportDir(argv: readonly string[], root: string): string {
  return join(root, argv.includes(UPDATE_DOCS_FLAG) ? "docs" : "reports");
}
