import { describe, expect, it } from "vitest";
import { DPOP_NONCE_WINDOW_MS, DpopNonces } from "../src/dpop/dpop-nonces.ts";

describe("DpopNonces", () => {
  const start = 1_700_000_000_000;

  it("accepts the nonce of this window and the previous one, not older, and rotates", () => {
    let now = start;
    const nonces = new DpopNonces({ now: () => now });
    const first = nonces.current();
    expect(first).toMatch(/^[\w-]{24}$/);
    expect(nonces.isValid(first)).toBe(true);

    now += DPOP_NONCE_WINDOW_MS;
    const second = nonces.current();
    expect(second).not.toBe(first);
    expect(nonces.isValid(first)).toBe(true);
    expect(nonces.isValid(second)).toBe(true);

    now += DPOP_NONCE_WINDOW_MS;
    expect(nonces.isValid(first)).toBe(false);
    expect(nonces.isValid(second)).toBe(true);
  });

  it("needs no stored state: another instance with the same key checks the nonce", () => {
    const key = new Uint8Array(32).fill(7);
    const a = new DpopNonces({ now: () => start, key });
    const b = new DpopNonces({ now: () => start, key });
    const other = new DpopNonces({ now: () => start, key: new Uint8Array(32).fill(8) });
    expect(b.isValid(a.current())).toBe(true);
    expect(other.isValid(a.current())).toBe(false);
  });

  it("refuses values of another length or made up", () => {
    const nonces = new DpopNonces({ now: () => start });
    expect(nonces.isValid("")).toBe(false);
    expect(nonces.isValid(`${nonces.current()}x`)).toBe(false);
    expect(nonces.isValid("A".repeat(24))).toBe(false);
  });
});
