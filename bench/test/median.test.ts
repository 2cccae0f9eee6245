import { describe, expect, it } from "vitest";
import { median } from "../src/median.ts";

describe("median", () => {
  it("is the middle value of an odd count, whatever the order", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, -4, 7, 7, 0])).toBe(7);
  });

  it("is the mean of the two middle values of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([1.5, 0.5])).toBe(1);
  });

  it("refuses an empty list and leaves its input unsorted", () => {
    expect(() => median([])).toThrow(RangeError);
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});
