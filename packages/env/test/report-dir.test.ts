import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { reportDir, UPDATE_DOCS_FLAG } from "../src/index.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));

describe("reportDir", () => {
  it("is the git-ignored reports/ folder unless --update-docs is given", () => {
    expect(reportDir(["node", "soak.ts"], root)).toBe(join(root, "reports"));
    expect(reportDir(["node", "soak.ts", UPDATE_DOCS_FLAG], root)).toBe(join(root, "docs"));
  });

  it("names a folder git ignores by default, and the tracked docs/ with the flag", () => {
    const ignored = (path: string) => {
      try {
        execFileSync("git", ["check-ignore", "-q", path], { cwd: root });
        return true;
      } catch {
        return false;
      }
    };
    expect(ignored(join(reportDir([], root), "reliability.md"))).toBe(true);
    expect(ignored(join(reportDir([UPDATE_DOCS_FLAG], root), "reliability.md"))).toBe(false);
  });
});
