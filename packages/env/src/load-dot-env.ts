import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv as parseDotEnvText } from "node:util";
import { ConfigurationError } from "./configuration-error.ts";

export interface LoadDotEnvOptions {
  /** Where to write the variables; those already set win. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Where to start looking for the workspace root (the folder holding pnpm-workspace.yaml).
   * Default: the folder of this module, so the root is the repository this code lives in, never
   * the caller's working directory.
   */
  readonly from?: string;
}

/**
 * Load the repository's `.env` into the environment, once, at start. The file read is
 * `DOTENV_PATH` when set, else `.env` at the workspace root; no other folder is looked at, so a
 * `.env` planted in a parent folder (or next to a copied `dist/`) is never read. Outside a
 * workspace (a built image, a copied `dist/`) only `DOTENV_PATH` loads anything.
 *
 * Variables already in the environment win. Skipped entirely when NODE_ENV is "test", so that a
 * developer's `.env` never changes test results. A UTF-8 byte order mark is ignored; a file that
 * cannot be read, or is not UTF-8, is a ConfigurationError naming the file.
 *
 * @returns the file loaded, or undefined when there was none.
 */
export function loadDotEnv(options: LoadDotEnvOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  if (env.NODE_ENV === "test") return undefined;
  const explicit = env.DOTENV_PATH?.trim();
  let file: string;
  if (explicit !== undefined && explicit !== "") {
    file = resolve(explicit);
  } else {
    const root = workspaceRoot(options.from ?? dirname(fileURLToPath(import.meta.url)));
    if (root === undefined) return undefined;
    file = join(root, ".env");
    if (!existsSync(file)) return undefined;
  }
  const variables = parseDotEnvText(readDotEnvText(file));
  for (const [name, value] of Object.entries(variables)) {
    if (env[name] === undefined) env[name] = value;
  }
  return file;
}

/** The nearest folder at or above `from` that holds pnpm-workspace.yaml. */
export function workspaceRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readDotEnvText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    throw new ConfigurationError(file, `cannot be read (${code})`);
  }
  // UTF-16 (as some Windows editors save) would otherwise parse as nothing, silently.
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  ) {
    throw new ConfigurationError(file, "is UTF-16; save it as UTF-8");
  }
  let text: string;
  try {
    // ignoreBOM: false (the default) strips a UTF-8 BOM, which would otherwise become part of the
    // first variable's name.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigurationError(file, "is not valid UTF-8");
  }
  if (text.includes("\0")) throw new ConfigurationError(file, "is not a text file");
  return text;
}
