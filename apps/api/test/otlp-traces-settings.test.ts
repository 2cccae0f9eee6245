import { ConfigurationError } from "@repo/env";
import { describe, expect, it } from "vitest";
import { otlpTracesSettings } from "../src/tracing/otlp-traces-settings.ts";

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318" };

/** The one line a refusal prints, or "accepted". */
function refusal(env: Record<string, string>): string {
  try {
    otlpTracesSettings({ ...ENDPOINT, ...env });
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  return "accepted";
}

describe("otlpTracesSettings", () => {
  it("sends over http/protobuf by default, as the specification says", () => {
    expect(otlpTracesSettings(ENDPOINT)).toEqual({ protocol: "http/protobuf" });
    expect(otlpTracesSettings({ ...ENDPOINT, OTEL_TRACES_EXPORTER: "otlp" }).protocol).toBe(
      "http/protobuf",
    );
  });

  it("takes the traces protocol variable over the general one", () => {
    expect(otlpTracesSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }).protocol).toBe(
      "http/json",
    );
    expect(
      otlpTracesSettings({
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      }).protocol,
    ).toBe("http/json");
  });

  it("accepts the specification's samplers and a ratio from 0 to 1", () => {
    for (const sampler of ["always_on", "parentbased_always_off", "traceidratio"]) {
      expect(refusal({ OTEL_TRACES_SAMPLER: sampler })).toBe("accepted");
    }
    expect(
      refusal({ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" }),
    ).toBe("accepted");
    expect(
      refusal({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://vendor.example/v1/traces" }),
    ).toBe("accepted");
  });

  it("refuses grpc and any other protocol, naming the variable that says it", () => {
    expect(refusal({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toBe(
      "OTEL_EXPORTER_OTLP_PROTOCOL: must be http/protobuf or http/json (grpc is not supported here; the collector's OTLP/HTTP port is 4318)",
    );
    expect(refusal({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/xml" })).toBe(
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: must be http/protobuf or http/json (got "http/xml")',
    );
  });

  it("refuses another exporter, an endpoint that is not an http(s) URL, an unknown sampler or an odd ratio", () => {
    expect(refusal({ OTEL_TRACES_EXPORTER: "zipkin" })).toBe(
      'OTEL_TRACES_EXPORTER: must be otlp (or none to turn traces off), got "zipkin"',
    );
    expect(refusal({ OTEL_TRACES_EXPORTER: "otlp,console" })).toMatch(/^OTEL_TRACES_EXPORTER: /);
    expect(refusal({ OTEL_EXPORTER_OTLP_ENDPOINT: "otel-collector:4318" })).toMatch(
      /^OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(refusal({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "collector" })).toMatch(
      /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: /,
    );
    expect(refusal({ OTEL_TRACES_SAMPLER: "parentbased_traceidratoi" })).toMatch(
      /^OTEL_TRACES_SAMPLER: must be one of always_on, .* got "parentbased_traceidratoi"$/,
    );
    for (const ratio of ["1.5", "-0.1", "ten percent"]) {
      expect(
        refusal({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: ratio }),
      ).toMatch(/^OTEL_TRACES_SAMPLER_ARG: must be a ratio from 0 to 1/);
    }
  });
});
