import { fileURLToPath } from "node:url";
import { ConfigurationError } from "@repo/env";
import { describe, expect, it } from "vitest";
import { BENCH_DEFAULTS, benchConfigFromEnv, profileConfigFromEnv } from "../src/bench-config.ts";

describe("bench configuration", () => {
  it("defaults to a full, pinned run writing to the given docs folder", () => {
    expect(benchConfigFromEnv({}, "/docs")).toEqual({
      quick: false,
      connections: BENCH_DEFAULTS.connections,
      ...BENCH_DEFAULTS.full,
      docsDir: "/docs",
      pin: true,
      subjectNode: process.execPath,
    });
  });

  it("reads BENCH_PIN and BENCH_QUICK, and refuses what is not a boolean", () => {
    expect(benchConfigFromEnv({ BENCH_PIN: "false" }, "/docs").pin).toBe(false);
    expect(benchConfigFromEnv({ BENCH_QUICK: "1" }, "/docs")).toMatchObject({
      quick: true,
      ...BENCH_DEFAULTS.quick,
    });
    const malformed = [
      { BENCH_PIN: "maybe" },
      { BENCH_QUICK: "often" },
      { BENCH_ROUNDS: "0" },
      { BENCH_PAIRED_BLOCKS: "-1" },
      { BENCH_PAIRED_BLOCKS: "2.5" },
      { BENCH_SLICE_S: "0" },
      { BENCH_SUBJECT_NODE: "/no/such/node" },
      // A file, but not an executable one.
      { BENCH_SUBJECT_NODE: fileURLToPath(import.meta.url) },
    ];
    for (const env of malformed) {
      expect(() => benchConfigFromEnv(env, "/docs"), JSON.stringify(env)).toThrow(
        ConfigurationError,
      );
    }
  });

  it("reads the paired slices' knobs; 0 blocks skips them", () => {
    expect(benchConfigFromEnv({ BENCH_PAIRED_BLOCKS: "0" }, "/docs").pairedBlocks).toBe(0);
    expect(
      benchConfigFromEnv({ BENCH_PAIRED_BLOCKS: "6", BENCH_SLICE_S: "1.5" }, "/docs"),
    ).toMatchObject({ pairedBlocks: 6, sliceS: 1.5 });
  });

  it("pins the profiled api too unless BENCH_PIN=false", () => {
    expect(profileConfigFromEnv({}, ["/public"]).pin).toBe(true);
    expect(profileConfigFromEnv({ BENCH_PIN: "false" }, ["/public"]).pin).toBe(false);
    expect(() => profileConfigFromEnv({ BENCH_PIN: "perhaps" }, ["/public"])).toThrow(
      ConfigurationError,
    );
  });

  it("runs the subjects on another node binary when BENCH_SUBJECT_NODE names one", () => {
    expect(benchConfigFromEnv({ BENCH_SUBJECT_NODE: process.execPath }, "/docs").subjectNode).toBe(
      process.execPath,
    );
  });
});
