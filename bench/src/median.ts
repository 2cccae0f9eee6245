/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A distribution-free confidence interval for the median: two order statistics of the values. */
export interface MedianInterval {
  readonly low: number;
  readonly high: number;
  /** The probability that the interval holds the true median (exact, for any continuous distribution). */
  readonly confidence: number;
}

/**
 * The narrowest interval [x(k), x(n+1−k)] of the sorted values that holds the true median with at
 * least `wanted` probability (the sign test: each value falls below the median with probability
 * 1/2, so P(x(k) ≤ median ≤ x(n+1−k)) = 1 − 2·P(Binomial(n, 1/2) ≤ k − 1)). Too few values
 * for that confidence: the whole range, with the confidence it has (6 values: 96.9%; 4: 87.5%).
 */
export function medianInterval(values: readonly number[], wanted = 0.9): MedianInterval {
  const n = values.length;
  if (n === 0) throw new RangeError("median interval of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  // below[k] = P(Binomial(n, 1/2) ≤ k), built from the binomial coefficients.
  let coefficient = 1;
  let cumulative = 0;
  const below: number[] = [];
  for (let k = 0; k < n; k++) {
    cumulative += coefficient / 2 ** n;
    below.push(cumulative);
    coefficient = (coefficient * (n - k)) / (k + 1);
  }
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2) && 1 - 2 * (below[k] as number) >= wanted) k++;
  return {
    low: sorted[k - 1] as number,
    high: sorted[n - k] as number,
    confidence: 1 - 2 * (below[k - 1] as number),
  };
}
