import type { KeySetStatus } from "@repo/auth/server";
import { describe, expect, it } from "vitest";
import { readinessOf } from "../src/http/readiness.ts";

const loaded: KeySetStatus = {
  state: "fresh",
  ready: true,
  kids: ["k1"],
  keys: 1,
  ageMs: 0,
  consecutiveFailures: 0,
  lastError: undefined,
  reason: undefined,
  nextAttemptInMs: 600_000,
};

const failing: KeySetStatus = {
  state: "empty",
  ready: false,
  kids: [],
  keys: 0,
  ageMs: undefined,
  consecutiveFailures: 3,
  lastError: "fetch failed (ECONNREFUSED)",
  reason: "signing keys could not be loaded: 3 fetches failed, retrying in the background",
  nextAttemptInMs: 20_000,
};

describe("readinessOf", () => {
  it("ready: 200, the public answer says only that", () => {
    const readiness = readinessOf(loaded, false);
    expect(readiness.status).toBe(200);
    expect(readiness.public).toEqual({ status: "ready" });
  });

  it("keys unavailable: 503, a reason class in public, the key set's account in the detail", () => {
    const readiness = readinessOf(failing, false);
    expect(readiness.status).toBe(503);
    expect(readiness.public).toEqual({ status: "not_ready", reason: "keys_unavailable" });
    expect(readiness.detail).toEqual({
      status: "not_ready",
      reason: "keys_unavailable",
      detail: failing.reason,
      keySet: {
        state: "empty",
        keys: 0,
        consecutiveFailures: 3,
        lastError: "fetch failed (ECONNREFUSED)",
      },
    });
  });

  it("shutting down comes first, even with keys loaded", () => {
    for (const keySet of [loaded, failing]) {
      const readiness = readinessOf(keySet, true);
      expect(readiness.status).toBe(503);
      expect(readiness.public).toEqual({ status: "not_ready", reason: "shutting_down" });
      expect(readiness.detail).toMatchObject({ reason: "shutting_down", detail: "shutting down" });
    }
  });

  it("bounds the error text it carries to 500 characters", () => {
    const readiness = readinessOf({ ...failing, lastError: "x".repeat(10_000) }, false);
    expect(readiness.detail.keySet.lastError).toHaveLength(501);
  });
});
