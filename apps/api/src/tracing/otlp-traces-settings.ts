import { ConfigurationError } from "@repo/env";

type Env = Readonly<Record<string, string | undefined>>;

/** The OTLP transports the api can send traces over (both to a collector's port 4318). */
export type OtlpTracesProtocol = "http/protobuf" | "http/json";

export interface OtlpTracesSettings {
  readonly protocol: OtlpTracesProtocol;
}

/** The samplers the SDK builds from OTEL_TRACES_SAMPLER (the specification's, less Jaeger's). */
const SAMPLERS = new Set([
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
]);

/**
 * The OTEL_* values the api relies on, checked when traces are requested (tracesRequested in
 * @repo/env) before the SDK reads them: the SDK itself falls back to a default on an odd value
 * (a sampler name with a typo would keep every trace), where the api stops with one line.
 * - `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`: absolute http(s) URLs.
 * - `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf`
 *   (the specification's default) or `http/json`; `grpc` is not bundled.
 * - `OTEL_TRACES_EXPORTER`: `otlp` (or `none`, which turns traces off).
 * - `OTEL_TRACES_SAMPLER`: one of the specification's samplers the SDK has; for a ratio sampler,
 *   `OTEL_TRACES_SAMPLER_ARG` a number from 0 to 1.
 * @throws ConfigurationError naming the variable.
 */
export function otlpTracesSettings(env: Env): OtlpTracesSettings {
  const exporter = value(env, "OTEL_TRACES_EXPORTER");
  if (exporter !== undefined && exporter !== "otlp" && exporter !== "none") {
    throw new ConfigurationError(
      "OTEL_TRACES_EXPORTER",
      `must be otlp (or none to turn traces off), got ${quoted(exporter)}`,
    );
  }
  for (const variable of ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]) {
    const url = value(env, variable);
    if (url !== undefined && !isHttpUrl(url)) {
      throw new ConfigurationError(
        variable,
        "must be an http:// or https:// URL, e.g. http://otel-collector:4318",
      );
    }
  }
  const sampler = value(env, "OTEL_TRACES_SAMPLER");
  if (sampler !== undefined && !SAMPLERS.has(sampler)) {
    throw new ConfigurationError(
      "OTEL_TRACES_SAMPLER",
      `must be one of ${[...SAMPLERS].join(", ")}, got ${quoted(sampler)}`,
    );
  }
  const ratio = value(env, "OTEL_TRACES_SAMPLER_ARG");
  if (sampler?.endsWith("traceidratio") && ratio !== undefined) {
    const parsed = Number(ratio);
    if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
      throw new ConfigurationError(
        "OTEL_TRACES_SAMPLER_ARG",
        `must be a ratio from 0 to 1 (0.1 keeps one trace in ten), got ${quoted(ratio)}`,
      );
    }
  }
  return { protocol: protocolOf(env) };
}

function protocolOf(env: Env): OtlpTracesProtocol {
  for (const variable of ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"]) {
    const protocol = value(env, variable);
    if (protocol === undefined) continue;
    if (protocol === "http/protobuf" || protocol === "http/json") return protocol;
    const hint =
      protocol === "grpc"
        ? "grpc is not supported here; the collector's OTLP/HTTP port is 4318"
        : `got ${quoted(protocol)}`;
    throw new ConfigurationError(variable, `must be http/protobuf or http/json (${hint})`);
  }
  return "http/protobuf";
}

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === "" ? undefined : raw;
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** A value as the message shows it: quoted, and short (it is the operator's, but bounded). */
function quoted(text: string): string {
  return JSON.stringify(text.slice(0, 40));
}
