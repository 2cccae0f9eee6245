/**
 * The latest NumericDate (RFC 7519 §2) a token may carry in `exp`, `nbf` or `iat`: the last second
 * of year 9999 (253402300799). Beyond it a date stops being a date to the code that uses it:
 * from 8.64e12 seconds `new Date()` is Invalid Date, so an expiry compares false with every
 * instant (never expires) and a timer for it fires at once, over and over.
 */
export const MAX_NUMERIC_DATE_SECONDS = 253_402_300_799;

const TIME_CLAIMS = ["exp", "nbf", "iat"] as const;

/**
 * The first of `exp`, `nbf`, `iat` that is a finite number above the bound. A value that is no
 * finite number (`1e309` parses to Infinity) is left to jose, which refuses it as invalid.
 */
export function timeClaimOutOfRange(
  payload: Readonly<Record<string, unknown>> | undefined,
): (typeof TIME_CLAIMS)[number] | undefined {
  if (payload === undefined) return undefined;
  return TIME_CLAIMS.find((claim) => {
    const value = payload[claim];
    return typeof value === "number" && Number.isFinite(value) && value > MAX_NUMERIC_DATE_SECONDS;
  });
}
