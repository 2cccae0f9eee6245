import { describe, expect, it } from "vitest";
import { MAX_TIMER_MS } from "../src/server.ts";
import { ManualClock } from "../src/testing.ts";

describe("ManualClock", () => {
  it("fires due timers in order during advance, each seeing now() at its due time", () => {
    const clock = new ManualClock(1_000);
    const seen: Array<[string, number]> = [];
    clock.setTimer(() => seen.push(["b", clock.now()]), 20);
    clock.setTimer(() => seen.push(["a", clock.now()]), 10);
    clock.setTimer(() => seen.push(["late", clock.now()]), 31);
    expect(clock.pending()).toEqual([
      { delayMs: 10, dueInMs: 10 },
      { delayMs: 20, dueInMs: 20 },
      { delayMs: 31, dueInMs: 31 },
    ]);
    clock.advance(30);
    expect(seen).toEqual([
      ["a", 1_010],
      ["b", 1_020],
    ]);
    expect(clock.now()).toBe(1_030);
    expect(clock.fired()).toBe(2);
    expect(clock.pending()).toEqual([{ delayMs: 31, dueInMs: 1 }]);
  });

  it("fires a timer set by a firing timer when it falls due within the same advance", () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimer(() => {
      seen.push(clock.now());
      clock.setTimer(() => seen.push(clock.now()), 5);
    }, 5);
    clock.advance(10);
    expect(seen).toEqual([5, 10]);
    expect(clock.fired()).toBe(2);
  });

  it.each([
    ["0", 0],
    ["a negative delay", -5],
    ["NaN", Number.NaN],
    ["one past setTimeout's ceiling", MAX_TIMER_MS + 1],
  ])("runs a delay of %s after 1 ms, as Node's setTimeout does", (_label, ms) => {
    const clock = new ManualClock(0);
    let fired = false;
    clock.setTimer(() => {
      fired = true;
    }, ms);
    clock.advance(0);
    expect(fired).toBe(false);
    clock.advance(1);
    expect(fired).toBe(true);
  });

  it("waits the whole of a delay at setTimeout's ceiling", () => {
    const clock = new ManualClock(0);
    let fired = false;
    clock.setTimer(() => {
      fired = true;
    }, MAX_TIMER_MS);
    clock.advance(MAX_TIMER_MS - 1);
    expect(fired).toBe(false);
    clock.advance(1);
    expect(fired).toBe(true);
  });

  it("counts cancels of a timer that already fired or was already cancelled as stale", () => {
    const clock = new ManualClock(0);
    const cancelFired = clock.setTimer(() => {}, 1);
    const cancelPending = clock.setTimer(() => {}, 100);
    clock.advance(1);
    expect(clock.staleCancels()).toBe(0);
    cancelPending();
    expect(clock.pending()).toEqual([]);
    expect(clock.staleCancels()).toBe(0);
    cancelPending();
    cancelFired();
    expect(clock.staleCancels()).toBe(2);
    expect(clock.fired()).toBe(1);
  });
});
