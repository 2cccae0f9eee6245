import { ConfigurationError } from "@repo/env";
import { describe, expect, it } from "vitest";
import { BENCH_DEFAULTS, benchConfigFromEnv } from "../src/bench-config.ts";
import { TARGETS } from "../src/targets.ts";

describe("bench configuration", () => {
  it("defaults to a full, pinned run of 50 connections writing where it is told", () => {
    expect(benchConfigFromEnv({}, "/reports")).toEqual({
      quick: false,
      connections: 50,
      ...BENCH_DEFAULTS.full,
      pin: true,
      reportDir: "/reports",
      targets: undefined,
    });
  });

  it("shrinks every default under BENCH_QUICK, and a variable set still wins", () => {
    expect(benchConfigFromEnv({ BENCH_QUICK: "1" }, "/r")).toMatchObject({
      quick: true,
      ...BENCH_DEFAULTS.quick,
    });
    expect(benchConfigFromEnv({ BENCH_QUICK: "true", BENCH_BLOCKS: "4" }, "/r").blocks).toBe(4);
  });

  it("reads every knob", () => {
    const env = {
      BENCH_CONNECTIONS: "20",
      BENCH_DURATION_S: "2.5",
      BENCH_WARMUP_S: "0",
      BENCH_ROUNDS: "5",
      BENCH_BLOCKS: "8",
      BENCH_SLICE_S: "1.5",
      BENCH_PIN: "false",
      BENCH_TARGETS: "4, 1",
    };
    expect(benchConfigFromEnv(env, "/r")).toMatchObject({
      connections: 20,
      durationS: 2.5,
      warmupS: 0,
      rounds: 5,
      blocks: 8,
      sliceS: 1.5,
      pin: false,
      targets: [4, 1],
    });
  });

  it.each([
    { BENCH_PIN: "maybe" },
    { BENCH_QUICK: "often" },
    { BENCH_CONNECTIONS: "0" },
    { BENCH_ROUNDS: "0" },
    { BENCH_BLOCKS: "0" },
    { BENCH_BLOCKS: "2.5" },
    { BENCH_SLICE_S: "0" },
    { BENCH_DURATION_S: "ten" },
    { BENCH_TARGETS: "0" },
    { BENCH_TARGETS: String(TARGETS.length + 1) },
    { BENCH_TARGETS: "1,dpop" },
  ])("stops on %j, naming the variable", (env) => {
    const name = Object.keys(env)[0] as string;
    expect(() => benchConfigFromEnv(env, "/r")).toThrow(ConfigurationError);
    expect(() => benchConfigFromEnv(env, "/r")).toThrow(name);
  });
});
