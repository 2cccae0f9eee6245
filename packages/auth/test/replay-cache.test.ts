import { describe, expect, it } from "vitest";
import { ReplayCache } from "../src/replay-cache.ts";

describe("ReplayCache", () => {
  let now = 1_000_000;
  const clock = () => now;

  it("says fresh the first time and replayed until the entry expires, then fresh again", () => {
    const cache = new ReplayCache({ maxEntries: 10, now: clock });
    expect(cache.remember("a", now + 1000)).toBe("fresh");
    expect(cache.remember("a", now + 1000)).toBe("replayed");
    now += 999;
    expect(cache.remember("a", now + 1000)).toBe("replayed");
    now += 1;
    expect(cache.remember("a", now + 1000)).toBe("fresh");
  });

  it("answers full rather than forgetting a live entry, and makes room once one expires", () => {
    const cache = new ReplayCache({ maxEntries: 2, now: clock });
    expect(cache.remember("a", now + 100)).toBe("fresh");
    expect(cache.remember("b", now + 500)).toBe("fresh");
    expect(cache.remember("c", now + 500)).toBe("full");
    expect(cache.msUntilRoom()).toBe(100);
    // A live entry is still recognised while the cache is full.
    expect(cache.remember("a", now + 100)).toBe("replayed");
    now += 100;
    expect(cache.remember("c", now + 500)).toBe("fresh");
    expect(cache.size).toBe(2);
  });

  it("refuses a size that is not a positive integer", () => {
    expect(() => new ReplayCache({ maxEntries: 0, now: clock })).toThrow(RangeError);
    expect(() => new ReplayCache({ maxEntries: 1.5, now: clock })).toThrow(RangeError);
  });
});
