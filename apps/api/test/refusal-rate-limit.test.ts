import { RefusalRateLimit } from "@repo/api-router";
import type { Clock } from "@repo/auth/server";
import { ManualClock } from "@repo/auth/testing";
import { describe, expect, it } from "vitest";
import { memoryLogger } from "./support/start-stack.ts";

/** A ManualClock that also remembers the options each timer was set with. */
class RecordingClock extends ManualClock implements Clock {
  readonly timerOptions: Array<{ readonly background?: boolean } | undefined> = [];

  override setTimer(
    callback: () => void,
    ms: number,
    options?: { readonly background?: boolean },
  ): () => void {
    this.timerOptions.push(options);
    return super.setTimer(callback, ms);
  }
}

function setup(options: { linesPerReason?: number; windowMs?: number } = {}) {
  const clock = new RecordingClock();
  const memory = memoryLogger();
  const limit = new RefusalRateLimit(memory.log, { clock, ...options });
  const summaries = () => memory.lines().filter((l) => l.event === "auth_refusals_suppressed");
  return { clock, limit, summaries };
}

const admitted = (limit: RefusalRateLimit, reason: "expired" | "unknown_key", n: number) =>
  Array.from({ length: n }, () => limit.admit(reason)).filter(Boolean).length;

describe("RefusalRateLimit", () => {
  it("admits at most linesPerReason lines per reason in a window, each reason on its own", () => {
    const { limit } = setup({ linesPerReason: 3 });
    expect(admitted(limit, "unknown_key", 10)).toBe(3);
    expect(admitted(limit, "expired", 2)).toBe(2);
    expect(limit.admit("expired")).toBe(true);
    expect(limit.admit("expired")).toBe(false);
  });

  it("defaults to 60 lines per reason per minute", () => {
    const { clock, limit } = setup();
    expect(admitted(limit, "unknown_key", 100)).toBe(60);
    expect(clock.pending()).toEqual([{ delayMs: 60_000, dueInMs: 60_000 }]);
  });

  it("ends the window with one line counting what it suppressed by reason, then admits again", () => {
    const { clock, limit, summaries } = setup({ linesPerReason: 2, windowMs: 10_000 });
    admitted(limit, "unknown_key", 7);
    clock.advance(4_000);
    admitted(limit, "expired", 3);
    clock.advance(5_999);
    expect(summaries()).toEqual([]);
    clock.advance(1);
    expect(summaries()).toEqual([
      expect.objectContaining({
        level: 40,
        suppressed: { unknown_key: 5, expired: 1 },
        total: 6,
        windowMs: 10_000,
        linesPerReason: 2,
      }),
    ]);
    expect(admitted(limit, "unknown_key", 3)).toBe(2);
  });

  it("writes no summary for a window that suppressed nothing, and leaves no timer once idle", () => {
    const { clock, limit, summaries } = setup({ linesPerReason: 5, windowMs: 1_000 });
    admitted(limit, "expired", 5);
    clock.advance(1_000);
    expect(summaries()).toEqual([]);
    expect(clock.pending()).toEqual([]);
  });

  it("sets its timer as a background one, so that it never keeps the process alive", () => {
    const { clock, limit } = setup();
    limit.admit("expired");
    expect(clock.timerOptions).toEqual([{ background: true }]);
  });

  it("close() reports what is suppressed so far and cancels the window's timer", () => {
    const { clock, limit, summaries } = setup({ linesPerReason: 1, windowMs: 60_000 });
    admitted(limit, "unknown_key", 4);
    clock.advance(2_500);
    limit.close();
    expect(summaries()).toEqual([
      expect.objectContaining({ suppressed: { unknown_key: 3 }, total: 3, windowMs: 2_500 }),
    ]);
    expect(clock.pending()).toEqual([]);
  });

  it("with linesPerReason 0 admits nothing and still counts every refusal", () => {
    const { clock, limit, summaries } = setup({ linesPerReason: 0, windowMs: 1_000 });
    expect(admitted(limit, "expired", 4)).toBe(0);
    clock.advance(1_000);
    expect(summaries()).toEqual([expect.objectContaining({ suppressed: { expired: 4 } })]);
  });

  it("refuses a negative or fractional line count and an empty window", () => {
    const { log } = memoryLogger();
    expect(() => new RefusalRateLimit(log, { linesPerReason: -1 })).toThrow(RangeError);
    expect(() => new RefusalRateLimit(log, { linesPerReason: 1.5 })).toThrow(RangeError);
    expect(() => new RefusalRateLimit(log, { windowMs: 0 })).toThrow(RangeError);
  });
});
