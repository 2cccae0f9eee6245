import { describe, expect, it } from "vitest";
import { capLogText, LOG_TEXT_MAX_LENGTH, logDetail } from "../src/logging/cap-log-text.ts";

describe("capLogText", () => {
  it("keeps text of up to 128 characters as it is", () => {
    expect(LOG_TEXT_MAX_LENGTH).toBe(128);
    const text = "k".repeat(128);
    expect(capLogText(text)).toBe(text);
    expect(capLogText("")).toBe("");
  });

  it("cuts a 5,900-character kid to its first 128 characters and says how many were cut", () => {
    const capped = capLogText("k".repeat(5_900));
    expect(capped).toBe(`${"k".repeat(128)}…[cut 5772 chars]`);
    expect(capped.length).toBeLessThan(150);
  });

  it("cuts before a surrogate pair rather than through it, so the line holds no lone surrogate", () => {
    const text = `${"a".repeat(127)}🔑${"b".repeat(10)}`;
    const capped = capLogText(text);
    expect(capped).toBe(`${"a".repeat(127)}…[cut 12 chars]`);
    expect(JSON.stringify(capped)).not.toMatch(/\\ud[89ab]/i);
  });

  it("takes another bound when given one", () => {
    expect(capLogText("abcdef", 4)).toBe("abcd…[cut 2 chars]");
  });
});

describe("logDetail", () => {
  it("gives an Error's message, capped", () => {
    expect(logDetail(new Error("signature verification failed"))).toBe(
      "signature verification failed",
    );
    expect(logDetail(new Error("x".repeat(1_000)))).toBe(`${"x".repeat(128)}…[cut 872 chars]`);
  });

  it("gives a string as is (capped), a number or boolean as text, and only the type of anything else", () => {
    expect(logDetail("y".repeat(300))).toBe(`${"y".repeat(128)}…[cut 172 chars]`);
    expect(logDetail(42)).toBe("42");
    expect(logDetail(false)).toBe("false");
    expect(logDetail({ kid: "k".repeat(5_900) })).toBe("[object]");
    expect(logDetail(undefined)).toBeUndefined();
    expect(logDetail(null)).toBeUndefined();
  });
});
