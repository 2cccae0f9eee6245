import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigurationError, loadDotEnv, workspaceRoot } from "../src/index.ts";

// Every test builds its own tree under a fresh temporary folder (outside any workspace):
//   <tmp>/.env                      planted in the parent of the workspace root
//   <tmp>/ws/pnpm-workspace.yaml    the workspace root
//   <tmp>/ws/packages/env/src       where the loader's module lives
let tmp: string;
let workspace: string;
let moduleDir: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "load-dot-env-"));
  workspace = join(tmp, "ws");
  moduleDir = join(workspace, "packages", "env", "src");
  mkdirSync(moduleDir, { recursive: true });
  writeFileSync(join(workspace, "pnpm-workspace.yaml"), "packages: []\n");
  writeFileSync(join(tmp, ".env"), "PLANTED=parent\nAUTHACTION_TOKEN_URL=https://evil.example\n");
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** An environment without NODE_ENV=test (which turns loading off). */
const freshEnv = (vars: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...vars });

function loadError(env: NodeJS.ProcessEnv): ConfigurationError {
  try {
    loadDotEnv({ env, from: moduleDir });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError");
}

describe("loadDotEnv: which file", () => {
  it("reads the workspace root's .env; variables already set win", () => {
    writeFileSync(join(workspace, ".env"), "FROM_ROOT=yes\nALREADY=file\n");
    const env = freshEnv({ ALREADY: "set" });
    expect(loadDotEnv({ env, from: moduleDir })).toBe(join(workspace, ".env"));
    expect(env.FROM_ROOT).toBe("yes");
    expect(env.ALREADY).toBe("set");
  });

  it("never reads a .env in a parent folder of the workspace root", () => {
    const env = freshEnv();
    expect(loadDotEnv({ env, from: moduleDir })).toBeUndefined();
    expect(env.PLANTED).toBeUndefined();
    expect(env.AUTHACTION_TOKEN_URL).toBeUndefined();
  });

  it("never reads a .env in the app's folder or between it and the root", () => {
    writeFileSync(join(moduleDir, ".env"), "PLANTED=module\n");
    writeFileSync(join(workspace, "packages", ".env"), "PLANTED=packages\n");
    const env = freshEnv();
    expect(loadDotEnv({ env, from: moduleDir })).toBeUndefined();
    expect(env.PLANTED).toBeUndefined();
  });

  it("reads nothing outside a workspace: a .env next to a copied dist/ or above it is ignored", () => {
    const copied = join(tmp, "deploy", "dist");
    mkdirSync(copied, { recursive: true });
    writeFileSync(join(tmp, "deploy", ".env"), "PLANTED=next-to-dist\n");
    writeFileSync(join(copied, ".env"), "PLANTED=inside-dist\n");
    expect(workspaceRoot(copied)).toBeUndefined();
    const env = freshEnv();
    expect(loadDotEnv({ env, from: copied })).toBeUndefined();
    expect(env.PLANTED).toBeUndefined();
  });

  it("reads DOTENV_PATH instead of the root .env, also outside a workspace", () => {
    writeFileSync(join(workspace, ".env"), "SHARED=root\nROOT_ONLY=yes\n");
    const explicit = join(tmp, "elsewhere.env");
    writeFileSync(explicit, "SHARED=explicit\nEXPLICIT_ONLY=yes\n");
    const env = freshEnv({ DOTENV_PATH: explicit });
    expect(loadDotEnv({ env, from: moduleDir })).toBe(explicit);
    expect(env).toMatchObject({ SHARED: "explicit", EXPLICIT_ONLY: "yes" });
    expect(env.ROOT_ONLY).toBeUndefined();

    const outside = freshEnv({ DOTENV_PATH: explicit });
    expect(loadDotEnv({ env: outside, from: tmp })).toBe(explicit);
    expect(outside.SHARED).toBe("explicit");
  });

  it("reads nothing when NODE_ENV is test", () => {
    writeFileSync(join(workspace, ".env"), "FROM_ROOT=yes\n");
    const env = freshEnv({ NODE_ENV: "test" });
    expect(loadDotEnv({ env, from: moduleDir })).toBeUndefined();
    expect(env.FROM_ROOT).toBeUndefined();
  });
});

describe("loadDotEnv: what the file holds", () => {
  it("strips a UTF-8 byte order mark: the first variable keeps its name", () => {
    writeFileSync(join(workspace, ".env"), "\ufeffFIRST=1\nSECOND=2\n");
    const env = freshEnv();
    loadDotEnv({ env, from: moduleDir });
    expect(env.FIRST).toBe("1");
    expect(env.SECOND).toBe("2");
    expect(Object.keys(env).some((name) => name.includes("\ufeff"))).toBe(false);
  });

  it.each([
    ["UTF-16 LE", Buffer.from("\ufeffA=1\n", "utf16le"), "is UTF-16; save it as UTF-8"],
    ["UTF-16 BE", Buffer.from("\ufeffA=1\n", "utf16le").swap16(), "is UTF-16; save it as UTF-8"],
    ["Latin-1", Buffer.from("NAME=caf\u00e9\n", "latin1"), "is not valid UTF-8"],
    ["binary with NUL bytes", Buffer.from([0x41, 0x3d, 0x31, 0x00, 0x0a]), "is not a text file"],
  ])("refuses a %s file with one message naming it", (_kind, bytes, problem) => {
    const file = join(workspace, ".env");
    writeFileSync(file, bytes);
    const error = loadError(freshEnv());
    expect(error.message).toBe(`${file}: ${problem}`);
    expect(error.variable).toBe(file);
  });

  it("refuses a DOTENV_PATH that cannot be read, naming it and why", () => {
    // A directory cannot be read as a file, even by root (for whom chmod 000 changes nothing).
    const folder = join(tmp, "a-folder.env");
    mkdirSync(folder);
    expect(loadError(freshEnv({ DOTENV_PATH: folder })).message).toBe(
      `${folder}: cannot be read (EISDIR)`,
    );
    const missing = join(tmp, "missing.env");
    expect(loadError(freshEnv({ DOTENV_PATH: missing })).message).toBe(
      `${missing}: cannot be read (ENOENT)`,
    );
  });
});
