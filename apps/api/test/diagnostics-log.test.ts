import { ManualClock } from "@repo/auth/testing";
import { describe, expect, it } from "vitest";
import { diagnosticsLog } from "../src/tracing/diagnostics-log.ts";
import { memoryLogger } from "./support/start-stack.ts";

describe("diagnosticsLog", () => {
  it("writes at most one warn line a window, counting what it left out", () => {
    const clock = new ManualClock();
    const memory = memoryLogger();
    const diag = diagnosticsLog(memory.log, { windowMs: 60_000, clock });
    diag.error("export response failure (status: 503)");
    for (let i = 0; i < 50; i++) diag.error("export response failure (status: 503)");
    clock.advance(59_999);
    diag.error("still failing");
    clock.advance(1);
    diag.error("export response failure (status: 400)");
    expect(
      memory
        .lines()
        .map(({ level, event, suppressed, msg }) => ({ level, event, suppressed, msg })),
    ).toEqual([
      {
        level: 40,
        event: "otel_error",
        suppressed: 0,
        msg: "OpenTelemetry: export response failure (status: 503)",
      },
      {
        level: 40,
        event: "otel_error",
        suppressed: 51,
        msg: "OpenTelemetry: export response failure (status: 400)",
      },
    ]);
  });

  it("reduces an exception to its message and code, drops URL credentials and caps the text", () => {
    const memory = memoryLogger();
    const clock = new ManualClock();
    const diag = diagnosticsLog(memory.log, { windowMs: 1, clock });
    diag.error(
      JSON.stringify({
        stack: "Error: connect ECONNREFUSED\n    at TCPConnectWrap.afterConnect",
        message: "connect ECONNREFUSED 127.0.0.1:4318",
        code: "ECONNREFUSED",
      }),
    );
    clock.advance(1);
    diag.error(
      "could not reach https://collector-user:collector-password@collector.example/v1/traces",
    );
    clock.advance(1);
    diag.error(`collector said: ${"x".repeat(5_000)}`);
    const [exception, credentials, long] = memory.lines().map((line) => String(line.msg));
    expect(exception).toBe("OpenTelemetry: connect ECONNREFUSED 127.0.0.1:4318 (ECONNREFUSED)");
    expect(credentials).toBe("OpenTelemetry: could not reach https://collector.example/v1/traces");
    expect(long?.length).toBeLessThan(400);
    expect(memory.text()).not.toContain("collector-password");
  });

  it("asks for nothing below errors: warnings (one repeats a malformed header's value) are dropped", () => {
    const memory = memoryLogger();
    const diag = diagnosticsLog(memory.log);
    diag.warn('Header "authorization" has invalid value (secret-api-key) and will be ignored');
    diag.info("info");
    diag.debug("debug");
    diag.verbose("verbose");
    expect(memory.text()).toBe("");
  });
});
