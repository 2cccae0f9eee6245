/**
 * A short reason for a failed fetch: the system error code (`ECONNREFUSED`, `ENOTFOUND`, ...)
 * when there is one, otherwise the message. Node's fetch wraps the socket error as `cause`.
 */
export function networkFailureReason(error: unknown): string {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    if (typeof current !== "object") break;
    const { code } = current as { code?: unknown };
    if (typeof code === "string" && code !== "") return code;
    current = (current as { cause?: unknown }).cause;
  }
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error && cause.message !== "") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Whether a fetch failed because its `AbortSignal.timeout` fired. */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}
