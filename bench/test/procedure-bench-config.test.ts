import { ConfigurationError } from "@repo/env";
import { describe, expect, it } from "vitest";
import { BENCH_BOUNDS, procedureBenchConfigFromEnv } from "../src/bench-config.ts";

describe("procedure bench configuration", () => {
  it("defaults to 5 rounds of 300 ms per candidate", () => {
    expect(procedureBenchConfigFromEnv({})).toEqual({ rounds: 5, perCandidateMs: 300 });
  });

  it("reads its variables and refuses values outside their bounds", () => {
    expect(
      procedureBenchConfigFromEnv({ BENCH_PROCEDURE_ROUNDS: "2", BENCH_PROCEDURE_MS: "50" }),
    ).toEqual({ rounds: 2, perCandidateMs: 50 });
    for (const env of [
      { BENCH_PROCEDURE_ROUNDS: "0" },
      { BENCH_PROCEDURE_ROUNDS: "1.5" },
      { BENCH_PROCEDURE_MS: String(BENCH_BOUNDS.procedureMs.max + 1) },
      { BENCH_PROCEDURE_MS: "fast" },
    ]) {
      expect(() => procedureBenchConfigFromEnv(env), JSON.stringify(env)).toThrow(
        ConfigurationError,
      );
    }
  });
});
