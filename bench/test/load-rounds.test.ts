import { describe, expect, it } from "vitest";
import { median, summarizeRounds } from "../src/load-rounds.ts";
import type { Sample } from "../src/measure-sample.ts";
import { ROUTES } from "../src/routes.ts";
import { subjectSpec } from "../src/subject-catalog.ts";

const sample = (rps: number, p99: number, cpuPercent: number, errors = 0): Sample => ({
  rps,
  p50: 1,
  p99,
  errors,
  cpuPercent,
  cpuUs: 1e6 / rps,
});

describe("summarizeRounds", () => {
  it("takes each statistic's median over the rounds on its own, and sums the errors", () => {
    const rounds = [sample(10_000, 9, 95, 1), sample(30_000, 2, 99), sample(20_000, 4, 60, 2)];
    const result = summarizeRounds(subjectSpec("api"), ROUTES.restProtected, rounds);
    expect(result).toMatchObject({ rps: 20_000, p99: 4, cpuPercent: 95, errors: 3 });
    expect(result.cpuUs).toBe(50);
    expect(result.saturated).toBe(true);
  });

  it("flags a route whose median CPU use is under 90% of a core as not saturated", () => {
    const rounds = [sample(10_000, 1, 89), sample(10_000, 1, 95), sample(10_000, 1, 70)];
    expect(summarizeRounds(subjectSpec("api"), ROUTES.restPublic, rounds).saturated).toBe(false);
  });
});

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
