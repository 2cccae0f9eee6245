/**
 * The delay a `Retry-After` header asks for, in milliseconds (RFC 9110 §10.2.3: either
 * delta-seconds or an HTTP-date). `undefined` when the header is absent or unreadable; a date in
 * the past means "now" (0).
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP-date always names its weekday and its zone (IMF-fixdate, RFC 9110 §5.6.7); requiring
  // a letter keeps Date.parse from accepting things like "1.5" as a date.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
