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

  it("keeps exactly the entries not yet expired, whatever order their expiries come in", () => {
    let t = 0;
    const cache = new ReplayCache({ maxEntries: 5000, now: () => t });
    const expiries = new Map<string, number>();
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 3000; i++) {
      const key = `k${i}`;
      const at = t + 1 + Math.floor(random() * 1000);
      expiries.set(key, at);
      expect(cache.remember(key, at)).toBe("fresh");
      if (i % 100 === 99) {
        t += 37;
        const live = [...expiries].filter(([, e]) => e > t);
        expect(cache.size).toBe(live.length);
        const [someLive] = live;
        if (someLive !== undefined)
          expect(cache.remember(someLive[0], someLive[1])).toBe("replayed");
        const soonest = Math.min(...live.map(([, e]) => e));
        if (live.length > 0) expect(cache.msUntilRoom()).toBe(soonest - t);
      }
    }
  });

  it("refuses a size that is not a positive integer", () => {
    expect(() => new ReplayCache({ maxEntries: 0, now: clock })).toThrow(RangeError);
    expect(() => new ReplayCache({ maxEntries: 1.5, now: clock })).toThrow(RangeError);
  });
});
