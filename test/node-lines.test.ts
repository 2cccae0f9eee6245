import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// One set of supported Node lines, said in five places: engines, .nvmrc, .ci/run, the GitHub
// workflow and the image. A line added or dropped in one of them must be added or dropped in all.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");

const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
const oldestMajor = Number(/^>=(\d+)\.\d+\.\d+$/.exec(engines)?.[1]);
const nvmrcMajor = Number(read(".nvmrc").trim());
const ciMajors = (/CI_NODE_MAJORS:-([\d ]+)\}/.exec(read(".ci/run"))?.[1] ?? "")
  .trim()
  .split(/\s+/)
  .map(Number);
const workflow = parse(read(".github/workflows/ci.yml")) as {
  jobs: { test: { strategy: { matrix: { node: number[] } }; steps: { run?: string }[] } };
};

describe("supported Node lines", () => {
  it("engines names a floor (>=major.minor.patch) and .nvmrc a newer line", () => {
    expect(oldestMajor).toBeGreaterThanOrEqual(22);
    expect(nvmrcMajor).toBeGreaterThan(oldestMajor);
  });

  it(".ci/run tests the oldest supported line and the one .nvmrc names", () => {
    expect(ciMajors).toEqual([oldestMajor, nvmrcMajor]);
  });

  it("the GitHub workflow runs .ci/run once per line .ci/run knows", () => {
    expect(workflow.jobs.test.strategy.matrix.node).toEqual(ciMajors);
    expect(workflow.jobs.test.steps.some((step) => step.run === "bash .ci/run")).toBe(true);
  });

  it("the container image runs the line .nvmrc names", () => {
    expect(read("apps/api/Dockerfile")).toMatch(new RegExp(`^FROM node:${nvmrcMajor}-`, "m"));
  });
});
