import { describe, expect, it } from "vitest";
import { median, medianInterval } from "../src/median.ts";

describe("median", () => {
  it("is the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});

describe("medianInterval", () => {
  it("is the whole range of six values, which holds the median with probability 1 - 2/64", () => {
    expect(medianInterval([3.4, 1.2, 6.3, 2.6, 3.9, 3.2])).toEqual({
      low: 1.2,
      high: 6.3,
      confidence: 1 - 2 / 64,
    });
  });

  it("narrows to the 3rd and 10th of twelve values (96.1%): the 4th and 9th would hold it only 85.4%", () => {
    const values = [12, 3, 9, 1, 7, 11, 5, 2, 10, 4, 8, 6];
    const interval = medianInterval(values);
    expect(interval).toMatchObject({ low: 3, high: 10 });
    expect(interval.confidence).toBeCloseTo(1 - (2 * (1 + 12 + 66)) / 4096, 12);
  });

  it("gives the confidence it has when the values are too few for the one wanted", () => {
    expect(medianInterval([2, 1, 3, 4])).toEqual({ low: 1, high: 4, confidence: 1 - 2 / 16 });
    expect(medianInterval([5])).toEqual({ low: 5, high: 5, confidence: 0 });
    expect(() => medianInterval([])).toThrow(RangeError);
  });

  it("matches the sign test's coverage for every count from 1 to 40", () => {
    for (let n = 1; n <= 40; n++) {
      const values = Array.from({ length: n }, (_, i) => i + 1);
      const { low, high, confidence } = medianInterval(values, 0.9);
      const k = low;
      expect(high).toBe(n + 1 - k);
      // Coverage by counting outcomes: each of the 2^n sign patterns equally likely.
      const tail = (j: number) => {
        let sum = 0;
        let c = 1;
        for (let i = 0; i <= j; i++) {
          sum += c;
          c = (c * (n - i)) / (i + 1);
        }
        return sum / 2 ** n;
      };
      expect(confidence).toBeCloseTo(1 - 2 * tail(k - 1), 12);
      // The narrowest such interval: one step in would fall under 90%, unless it cannot step in.
      if (k + 1 <= n + 1 - (k + 1)) expect(1 - 2 * tail(k)).toBeLessThan(0.9);
      if (n >= 5) expect(confidence).toBeGreaterThanOrEqual(0.9);
    }
  });
});
