import { type AccessToken, AuthError } from "@repo/auth/server";
import { ManualClock } from "@repo/auth/testing";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { tokenBoundStream } from "../src/subscriptions/token-bound-stream.ts";

// The watcher alone, for what the verifier never lets through (its claim bound refuses such
// tokens first): an expiry that is no date must end the stream, not wake it every millisecond.

/** A source that never yields, as a quiet subscription is. */
async function* quiet(): AsyncGenerator<never> {
  await new Promise(() => {});
}

function auth(expiresAt: Date): AccessToken {
  return {
    sub: "demo-client@clients",
    scopes: ["read:messages"],
    clientId: "demo-client",
    expiresAt,
    issuer: "http://issuer.test",
    audience: ["https://api.example.com"],
    jkt: undefined,
    claims: {},
  };
}

describe("tokenBoundStream", () => {
  it("ends at once, as expired, a stream whose expiry is an Invalid Date, setting no timer", async () => {
    const clock = new ManualClock();
    let ends = 0;
    const stream = tokenBoundStream(quiet(), {
      token: "t",
      auth: auth(new Date(Number.NaN)),
      verify: async () => undefined,
      refuse: (error) =>
        new TRPCError({
          code: "UNAUTHORIZED",
          message: error instanceof AuthError ? error.code : "refused",
        }),
      clock,
      clockToleranceMs: 5_000,
      recheckIntervalMs: 1_000,
      register: () => () => {},
      onEnd: () => {
        ends += 1;
      },
    });
    await expect(stream.next()).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "expired" });
    expect(ends).toBe(1);
    expect(clock.pending()).toEqual([]);
    clock.advance(10);
    expect(clock.fired()).toBe(0);
  });

  it("watches the token with one background timer (a pending expiry never holds the process)", async () => {
    const backgrounds: Array<boolean | undefined> = [];
    const clock = new (class extends ManualClock {
      override setTimer(
        callback: () => void,
        ms: number,
        options?: { readonly background?: boolean },
      ): () => void {
        backgrounds.push(options?.background);
        return super.setTimer(callback, ms);
      }
    })();
    const stream = tokenBoundStream(quiet(), {
      token: "t",
      auth: auth(new Date(clock.now() + 60_000)),
      verify: async () => undefined,
      refuse: () => new TRPCError({ code: "UNAUTHORIZED", message: "refused" }),
      clock,
      clockToleranceMs: 0,
      recheckIntervalMs: 1_000,
      register: () => () => {},
      onEnd: () => {},
    });
    const next = stream.next();
    await expect.poll(() => clock.pending()).toEqual([{ delayMs: 1_000, dueInMs: 1_000 }]);
    expect(backgrounds).toEqual([true]);
    clock.advance(60_000);
    await expect(next).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(backgrounds.every((background) => background === true)).toBe(true);
  });
});
