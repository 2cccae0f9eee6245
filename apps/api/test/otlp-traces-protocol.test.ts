import { ConfigurationError } from "@repo/env";
import { describe, expect, it } from "vitest";
import { otlpTracesProtocol } from "../src/tracing/otlp-traces-protocol.ts";

describe("otlpTracesProtocol", () => {
  it("is http/protobuf by default, as the specification says", () => {
    expect(otlpTracesProtocol({})).toBe("http/protobuf");
    expect(otlpTracesProtocol({ OTEL_TRACES_EXPORTER: "otlp" })).toBe("http/protobuf");
  });

  it("takes the traces variable over the general one", () => {
    expect(otlpTracesProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" })).toBe("http/json");
    expect(
      otlpTracesProtocol({
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      }),
    ).toBe("http/json");
  });

  it("refuses grpc and anything else, naming the variable that says it", () => {
    const refusal = (env: Record<string, string>) => {
      try {
        otlpTracesProtocol(env);
      } catch (error) {
        if (error instanceof ConfigurationError) return error.message;
      }
      return "accepted";
    };
    expect(refusal({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toBe(
      "OTEL_EXPORTER_OTLP_PROTOCOL: must be http/protobuf or http/json (grpc is not supported here; the collector's OTLP/HTTP port is 4318)",
    );
    expect(refusal({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/xml" })).toMatch(
      /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: must be http\/protobuf or http\/json \(got "http\/xml"\)$/,
    );
    expect(refusal({ OTEL_TRACES_EXPORTER: "zipkin" })).toMatch(
      /^OTEL_TRACES_EXPORTER: must be otlp/,
    );
    expect(refusal({ OTEL_TRACES_EXPORTER: "otlp,console" })).toMatch(/^OTEL_TRACES_EXPORTER: /);
  });
});
