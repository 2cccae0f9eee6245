import { describe, expect, it } from "vitest";
import { tracesRequested } from "../src/index.ts";

describe("tracesRequested", () => {
  it("is off when no OTLP endpoint is set, or one is blank", () => {
    expect(tracesRequested({})).toBe(false);
    expect(tracesRequested({ OTEL_SERVICE_NAME: "api", OTEL_TRACES_SAMPLER: "always_on" })).toBe(
      false,
    );
    expect(tracesRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "  " })).toBe(false);
  });

  it("is on when the general or the traces endpoint is set", () => {
    expect(tracesRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(
      tracesRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" }),
    ).toBe(true);
  });

  it("is off when OTEL_SDK_DISABLED is true or OTEL_TRACES_EXPORTER is none, endpoint or not", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };
    expect(tracesRequested({ ...endpoint, OTEL_SDK_DISABLED: "TRUE" })).toBe(false);
    expect(tracesRequested({ ...endpoint, OTEL_TRACES_EXPORTER: "none" })).toBe(false);
    expect(tracesRequested({ ...endpoint, OTEL_SDK_DISABLED: "false" })).toBe(true);
    expect(tracesRequested({ ...endpoint, OTEL_TRACES_EXPORTER: "otlp" })).toBe(true);
  });
});
