/** 12,345 */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Two decimals below 10, one below 100, none above: latencies, CPU µs and ratios. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A subject's CPU use, % of one core, marked when it was not saturated. */
export function formatCpuUse(percent: number, saturated: boolean): string {
  return `${Math.round(percent)}%${saturated ? "" : " (not saturated)"}`;
}
