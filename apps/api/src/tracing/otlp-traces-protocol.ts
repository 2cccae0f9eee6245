import { ConfigurationError } from "@repo/env";

type Env = Readonly<Record<string, string | undefined>>;

/** The OTLP transports the api can send traces over (both to a collector's port 4318). */
export type OtlpTracesProtocol = "http/protobuf" | "http/json";

/**
 * How traces are sent, from the standard variables: `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf` (the specification's default). Only read
 * when traces are requested (tracesRequested in @repo/env).
 * @throws ConfigurationError naming the variable for `grpc` (not bundled: a collector takes OTLP
 *   over HTTP on 4318) or any other value, and for an `OTEL_TRACES_EXPORTER` other than `otlp`
 *   (or `none`, which turns traces off).
 */
export function otlpTracesProtocol(env: Env): OtlpTracesProtocol {
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter !== undefined && exporter !== "" && exporter !== "otlp" && exporter !== "none") {
    throw new ConfigurationError(
      "OTEL_TRACES_EXPORTER",
      `must be otlp (or none to turn traces off), got ${JSON.stringify(exporter.slice(0, 40))}`,
    );
  }
  for (const variable of [
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
  ] as const) {
    const value = env[variable]?.trim();
    if (value === undefined || value === "") continue;
    if (value === "http/protobuf" || value === "http/json") return value;
    const hint =
      value === "grpc"
        ? "grpc is not supported here; the collector's OTLP/HTTP port is 4318"
        : `got ${JSON.stringify(value.slice(0, 40))}`;
    throw new ConfigurationError(variable, `must be http/protobuf or http/json (${hint})`);
  }
  return "http/protobuf";
}
