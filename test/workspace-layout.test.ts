import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { globSync } from "tinyglobby";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// The layout rule (create-t3-turbo's): apps are what you deploy or run, packages are what you
// import. No workspace depends on an app: what others need of the api (its router's type) is a
// package, and whoever needs the running api starts its entry point as a process.

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Manifest {
  readonly name: string;
  readonly exports?: string | Record<string, unknown>;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

interface Workspace {
  /** Relative to the repository root, with forward slashes ("" for the root itself). */
  readonly dir: string;
  readonly manifest: Manifest;
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

/** Every workspace pnpm knows: pnpm-workspace.yaml's globs, each folder holding a package.json. */
function workspaces(): Workspace[] {
  const config = parse(readFileSync(join(ROOT, "pnpm-workspace.yaml"), "utf8")) as {
    packages?: string[];
  };
  const globs = config.packages ?? [];
  const manifests = globSync(
    globs.map((glob) => `${glob.replace(/\/$/, "")}/package.json`),
    { cwd: ROOT, ignore: ["**/node_modules/**"] },
  );
  return manifests.sort().map((path) => ({
    dir: dirname(path).split(sep).join("/"),
    manifest: readJson(join(ROOT, path)) as Manifest,
  }));
}

const DEPENDENCY_FIELDS = [
  "dependencies",
  "devDependencies",
  "peerDependencies",
  "optionalDependencies",
] as const;

function dependencyNames(manifest: Manifest): Array<{ field: string; name: string }> {
  return DEPENDENCY_FIELDS.flatMap((field) =>
    Object.keys(manifest[field] ?? {}).map((name) => ({ field, name })),
  );
}

/** The subpaths a manifest exports ("." for the package name itself). */
function exportedSubpaths(manifest: Manifest): string[] {
  if (manifest.exports === undefined) return [];
  if (typeof manifest.exports === "string") return ["."];
  const keys = Object.keys(manifest.exports);
  return keys.every((key) => key.startsWith(".")) ? keys : ["."];
}

/** Module specifiers of every static import/export and dynamic import() in TypeScript source. */
function importSpecifiers(source: string): string[] {
  const pattern =
    /\b(?:import|export)\s+(?:type\s+)?[^;"'`]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\bimport\s+["']([^"']+)["']/g;
  return [...source.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? match[3] ?? "");
}

/** TypeScript files of a workspace (the root: only what is not inside another workspace). */
function sourceFiles(workspace: Workspace): string[] {
  const patterns =
    workspace.dir === ""
      ? ["scripts/**/*.ts", "test/**/*.ts", "*.ts"]
      : [`${workspace.dir}/**/*.ts`];
  return globSync(patterns, { cwd: ROOT, ignore: ["**/node_modules/**", "**/dist/**"] });
}

const all = workspaces();
const root: Workspace = { dir: "", manifest: readJson(join(ROOT, "package.json")) as Manifest };
const byName = new Map(all.map((workspace) => [workspace.manifest.name, workspace]));
const isPackage = (workspace: Workspace) => workspace.dir.startsWith("packages/");

/** The workspace a file belongs to: the one with the longest directory containing it. */
function owner(file: string): Workspace {
  const containing = all.filter((w) => file === w.dir || file.startsWith(`${w.dir}/`));
  return containing.sort((a, b) => b.dir.length - a.dir.length)[0] ?? root;
}

describe("workspace manifests", () => {
  it("lists the workspaces pnpm-workspace.yaml names, packages and apps alike", () => {
    const dirs = all.map((workspace) => workspace.dir);
    expect(dirs.filter((dir) => dir.startsWith("packages/")).length).toBeGreaterThan(0);
    expect(dirs.filter((dir) => dir.startsWith("apps/")).length).toBeGreaterThan(0);
    expect(new Set(all.map((w) => w.manifest.name)).size).toBe(all.length);
  });

  it.each(all.filter(isPackage).map((w) => [w.manifest.name, w] as const))(
    "%s (a package) depends on no app or other runnable workspace",
    (_name, workspace) => {
      const onApps = dependencyNames(workspace.manifest).filter(({ name }) => {
        const target = byName.get(name);
        return target !== undefined && !isPackage(target);
      });
      expect(onApps.map(({ field, name }) => `${field}: ${name}`)).toEqual([]);
    },
  );
});

describe("the foundation packages", () => {
  it.each(["@repo/auth", "@repo/env", "@repo/process"])(
    "%s depends on no other workspace at run time (it throws its own errors; apps map them)",
    (name) => {
      const workspace = all.find((w) => w.manifest.name === name);
      expect(workspace).toBeDefined();
      const onWorkspaces = Object.keys({
        ...workspace?.manifest.dependencies,
        ...workspace?.manifest.peerDependencies,
        ...workspace?.manifest.optionalDependencies,
      }).filter((dependency) => byName.has(dependency));
      expect(onWorkspaces).toEqual([]);
    },
  );
});

describe("imports between workspaces", () => {
  const cases = [root, ...all].map((w) => [w.manifest.name, w] as const);

  it.each(cases)(
    "%s imports other workspaces only by a subpath they export, and declares them",
    (_name, workspace) => {
      const problems: string[] = [];
      const declared = new Set(dependencyNames(workspace.manifest).map(({ name }) => name));
      for (const file of sourceFiles(workspace)) {
        if (owner(file) !== workspace) continue;
        for (const specifier of importSpecifiers(readFileSync(join(ROOT, file), "utf8"))) {
          if (specifier.startsWith(".")) {
            // A relative path must stay inside its own workspace.
            const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
            const targetPath = target.split(sep).join("/");
            const targetOwner = owner(targetPath);
            // The exceptions: shared tool configuration at the root, which each workspace's own
            // configuration file reuses (the test projects, and the build of runnable workspaces).
            if (targetPath === "vitest.config.ts" && file.endsWith("/vitest.config.ts")) continue;
            if (targetPath === "tsdown.base.ts" && file.endsWith("/tsdown.config.ts")) continue;
            if (targetOwner !== workspace) {
              problems.push(`${file}: "${specifier}" reaches into ${targetOwner.manifest.name}`);
            }
            continue;
          }
          const name = specifier.split("/").slice(0, 2).join("/");
          const target = byName.get(name);
          if (target === undefined) continue;
          const subpath = specifier === name ? "." : `.${specifier.slice(name.length)}`;
          if (!exportedSubpaths(target.manifest).includes(subpath)) {
            problems.push(`${file}: "${specifier}" is not an export of ${name}`);
          }
          if (target !== workspace && !declared.has(name)) {
            problems.push(`${file}: imports ${name} without declaring it in package.json`);
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it.each([root, ...all].map((w) => [w.manifest.name, w] as const))(
    "%s depends on no app (the api is started as a process, its router is a package)",
    (_name, workspace) => {
      const onApps = dependencyNames(workspace.manifest).filter(
        ({ name }) => byName.get(name)?.dir.startsWith("apps/") === true,
      );
      expect(onApps.map(({ field, name }) => `${field}: ${name}`)).toEqual([]);
    },
  );
});
