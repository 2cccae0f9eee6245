/** 12,345 */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Two significant decimals below 10, one below 100, none above: latencies and ratios. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** 12.3 MiB */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? "−" : "";
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${sign}${Math.round(abs)} B`;
  if (abs < 1024 * 1024) return `${sign}${(abs / 1024).toFixed(1)} KiB`;
  return `${sign}${(abs / 1024 / 1024).toFixed(1)} MiB`;
}

/** Latencies from autocannon come in whole milliseconds; a median of two may end in .5. */
export function formatMs(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(1);
}

/** A subject's CPU use, % of one core, with the saturation mark the verdicts depend on. */
export function formatCpuUse(percent: number, saturated: boolean): string {
  return `${Math.round(percent)}%${saturated ? "" : " (not saturated)"}`;
}
