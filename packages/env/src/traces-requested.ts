type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether `env` asks for OpenTelemetry traces: an OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`), and neither
 * `OTEL_SDK_DISABLED=true` nor `OTEL_TRACES_EXPORTER=none` turns the SDK off (the specification's
 * meanings). Default: off. Never throws: packages read it once as they load, to decide whether
 * to install their span work at all; the api refuses odd OTEL_* values when it starts the SDK.
 */
export function tracesRequested(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return false;
  return isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) || isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "";
}
