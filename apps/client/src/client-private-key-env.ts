import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { type ClientPrivateKey, parseClientPrivateKey } from "@repo/auth/client";
import { ConfigurationError } from "@repo/env";

type Env = Readonly<Record<string, string | undefined>>;

/** A private key is a few KiB even as RSA 4096 PEM; a larger file is not one. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

const isSet = (value: string | undefined): value is string =>
  value !== undefined && value.trim() !== "";

/**
 * The client's private key for private_key_jwt: `AUTHACTION_CLIENT_PRIVATE_KEY` (a private JWK
 * as JSON, or PEM) or `AUTHACTION_CLIENT_PRIVATE_KEY_FILE` (a file holding either, e.g. a mounted
 * secret), exactly one of them; `AUTHACTION_CLIENT_KEY_ID` is the `kid` sent with a PEM key.
 *
 * @throws ConfigurationError naming the variable, never quoting the key.
 */
export function clientPrivateKeyFromEnv(env: Env): ClientPrivateKey {
  const inline = env.AUTHACTION_CLIENT_PRIVATE_KEY;
  const file = env.AUTHACTION_CLIENT_PRIVATE_KEY_FILE;
  if (isSet(inline) && isSet(file)) {
    throw new ConfigurationError(
      "AUTHACTION_CLIENT_PRIVATE_KEY_FILE",
      "is set beside AUTHACTION_CLIENT_PRIVATE_KEY: set one of the two",
    );
  }
  const variable = isSet(file)
    ? "AUTHACTION_CLIENT_PRIVATE_KEY_FILE"
    : "AUTHACTION_CLIENT_PRIVATE_KEY";
  if (!isSet(inline) && !isSet(file)) {
    throw new ConfigurationError(
      variable,
      "is required with AUTHACTION_CLIENT_AUTH_METHOD=private_key_jwt: the client's private key as a JWK (JSON) or PEM (or AUTHACTION_CLIENT_PRIVATE_KEY_FILE, a file holding it)",
    );
  }
  const text = isSet(file) ? readKeyFile(file.trim()) : (inline as string);
  const keyId = isSet(env.AUTHACTION_CLIENT_KEY_ID)
    ? env.AUTHACTION_CLIENT_KEY_ID.trim()
    : undefined;
  try {
    return parseClientPrivateKey(text, { keyId });
  } catch (error) {
    const reason = error instanceof TypeError ? error.message : "is not a usable private key";
    throw new ConfigurationError(variable, reason);
  }
}

function readKeyFile(path: string): string {
  const variable = "AUTHACTION_CLIENT_PRIVATE_KEY_FILE";
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new ConfigurationError(variable, `cannot be read (${errorCode(error)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ConfigurationError(variable, "is not a regular file");
    if (stat.size > MAX_KEY_FILE_BYTES) {
      throw new ConfigurationError(variable, `is over ${MAX_KEY_FILE_BYTES} bytes: not a key`);
    }
    const buffer = Buffer.alloc(stat.size);
    const read = readSync(fd, buffer, 0, stat.size, 0);
    return buffer.subarray(0, read).toString("utf8");
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(variable, `cannot be read (${errorCode(error)})`);
  } finally {
    closeSync(fd);
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "error";
}
