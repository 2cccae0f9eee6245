import { sanitizeServerText } from "@repo/auth/client";

/** Where a run writes: results to `out`, the one line explaining a failure to `err`. */
export interface ClientOutput {
  out(line: string): void;
  err(line: string): void;
}

// Long enough for any result line the api sends; a longer one is a server misbehaving.
const MAX_LINE_LENGTH = 2_000;

/**
 * `output` with every line passed through the one sanitiser of server text before it is written:
 * escape sequences and other control characters (CR and LF included) removed, so no server can
 * drive the terminal or forge a line; `secrets` redacted in every encoding a server may echo them
 * in; and the `user:password@` of any URL dropped.
 */
export function sanitizedOutput(output: ClientOutput, secrets: readonly string[]): ClientOutput {
  const clean = (line: string) => sanitizeServerText(line, MAX_LINE_LENGTH, secrets);
  return {
    out: (line) => output.out(clean(line)),
    err: (line) => output.err(clean(line)),
  };
}
