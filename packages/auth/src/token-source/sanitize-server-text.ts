/**
 * Make text chosen by a remote server safe to put in an error message or a log line: printable
 * ASCII only (the charset RFC 6749 §5.2 allows for `error_description`, so terminals and log
 * parsers cannot be fooled by control characters), whitespace collapsed, and cut to
 * `maxLength` characters (default 200).
 */
export function sanitizeServerText(text: string, maxLength = 200): string {
  const printable = text
    .replace(/\s+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .trim();
  return printable.length <= maxLength ? printable : `${printable.slice(0, maxLength - 3)}...`;
}
