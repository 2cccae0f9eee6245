/** The most characters of one attacker-influenced text a log line carries. */
export const LOG_TEXT_MAX_LENGTH = 128;

/**
 * `text` as a log field: as is up to `max` characters (default LOG_TEXT_MAX_LENGTH), otherwise its
 * first `max` followed by a marker naming how many were cut (`…[cut 5772 chars]`). Whatever a
 * request carries (a `kid`, a claim, a library's message about it) reaches the log through this,
 * so that a request can never make a line much longer than itself costs to send.
 */
export function capLogText(text: string, max: number = LOG_TEXT_MAX_LENGTH): string {
  if (text.length <= max) return text;
  let end = max;
  // Half a surrogate pair would be written as a lone \uD8xx escape: cut before the pair instead.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…[cut ${text.length - end} chars]`;
}

/**
 * What a failure's cause says, as a capped log field: an Error's message, a string as is, anything
 * else as its type (an object's content is not ours to print); undefined when there is none.
 */
export function logDetail(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (cause instanceof Error) return capLogText(cause.message);
  if (typeof cause === "string") return capLogText(cause);
  if (typeof cause === "number" || typeof cause === "boolean") return String(cause);
  return `[${typeof cause}]`;
}
