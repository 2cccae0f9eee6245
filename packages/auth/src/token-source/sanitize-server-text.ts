import { printableAscii } from "./printable-ascii.ts";
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
 * - cut to `maxLength` characters (default 200), ending in `...` when anything was cut.
 *
 * Linear in `maxLength`, whatever the length of `text`: it is cut to `2 * maxLength` plus the
 * longest spelling of a secret before anything else runs. Secrets are redacted after that cut
 * and before the final one, before and after the control characters go (so a secret split by
 * an escape sequence is caught), and where the first cut split one, its start is dropped: no
 * prefix of a secret is left by either cut.
 */
export function sanitizeServerText(
  text: string,
  maxLength = 200,
  secrets: readonly string[] = [],
): string {
  const raw = secrets.flatMap(secretSpellings);
  const printableSpellings = raw.map((spelling) => printableAscii(spelling));
  const spellings = [...new Set([...raw, ...printableSpellings])].filter((s) => s !== "");
  const bound = 2 * maxLength + Math.max(0, ...spellings.map((s) => s.length));
  const truncated = text.length > bound;
  const head = truncated ? text.slice(0, bound) : text;
  let printable = redactSecrets(
    printableAscii(redactSecrets(head, spellings), truncated),
    spellings,
  );
  if (truncated) printable = withoutSpellingStartAtEnd(printable, printableSpellings);
  return !truncated && printable.length <= maxLength
    ? printable
    : `${printable.slice(0, maxLength - 3)}...`;
}

/**
 * `text` without its longest ending that begins one of `spellings` (compared without regard to
 * case, as redaction is): what is left of a secret the cut split. Quadratic in the spellings'
 * length only, which the configured secret sets.
 */
function withoutSpellingStartAtEnd(text: string, spellings: readonly string[]): string {
  const lower = text.toLowerCase();
  let end = text.length;
  for (const spelling of spellings) {
    const start = spelling.toLowerCase();
    for (let length = Math.min(start.length - 1, lower.length); length > 0; length--) {
      if (lower.endsWith(start.slice(0, length))) {
        end = Math.min(end, lower.length - length);
        break;
      }
    }
  }
  return text.slice(0, end).trimEnd();
}
