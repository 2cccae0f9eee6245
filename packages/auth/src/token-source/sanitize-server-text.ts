import { stripVTControlCharacters } from "node:util";
import { redactSecrets, secretSpellings } from "./redact-secrets.ts";

/**
 * Make text chosen by a remote server (or built from it) safe to print or log:
 * - ANSI/VT escape sequences removed, each run of other whitespace (CR, LF, tabs) made one
 *   space (spaces are kept, so aligned output stays aligned), every other character outside
 *   printable ASCII shown as `?` (the charset RFC 6749 §5.2 allows for `error_description`), so
 *   a terminal cannot be driven and no line can be forged;
 * - each of `secrets` replaced by `[redacted]` in every encoding a server may echo it in
 *   (verbatim, JSON-escaped, percent- and form-encoded, base64 as in HTTP Basic), and the
 *   `user:password@` of every URL dropped;
 * - cut to `maxLength` characters (default 200).
 *
 * Secrets are redacted before and after the control characters go, so a secret split by an
 * escape sequence is caught too.
 */
export function sanitizeServerText(
  text: string,
  maxLength = 200,
  secrets: readonly string[] = [],
): string {
  const raw = secrets.flatMap(secretSpellings);
  const spellings = [...new Set([...raw, ...raw.map(printableAscii)])].filter((s) => s !== "");
  const printable = redactSecrets(printableAscii(redactSecrets(text, spellings)), spellings);
  return printable.length <= maxLength ? printable : `${printable.slice(0, maxLength - 3)}...`;
}

function printableAscii(text: string): string {
  return stripVTControlCharacters(text)
    .replace(/[^\S ]+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .trim();
}
