import { ConfigurationError } from "@repo/env";
import { describe, expect, it } from "vitest";
import { BENCH_DEFAULTS, benchConfigFromEnv } from "../src/bench-config.ts";

describe("bench configuration", () => {
  it("defaults to a full, pinned run writing to the given docs folder", () => {
    expect(benchConfigFromEnv({}, "/docs")).toEqual({
      quick: false,
      connections: BENCH_DEFAULTS.connections,
      ...BENCH_DEFAULTS.full,
      docsDir: "/docs",
      pin: true,
    });
  });

  it("reads BENCH_PIN and BENCH_QUICK, and refuses what is not a boolean", () => {
    expect(benchConfigFromEnv({ BENCH_PIN: "false" }, "/docs").pin).toBe(false);
    expect(benchConfigFromEnv({ BENCH_QUICK: "1" }, "/docs")).toMatchObject({
      quick: true,
      ...BENCH_DEFAULTS.quick,
    });
    for (const env of [{ BENCH_PIN: "maybe" }, { BENCH_QUICK: "often" }, { BENCH_ROUNDS: "0" }]) {
      expect(() => benchConfigFromEnv(env, "/docs"), JSON.stringify(env)).toThrow(
        ConfigurationError,
      );
    }
  });
});
