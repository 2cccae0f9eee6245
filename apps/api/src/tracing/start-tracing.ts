import { DiagLogLevel, diag, type Tracer, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as OtlpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import {
  defaultResource,
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { tracesRequested } from "@repo/env";
import type { Logger } from "../logger.ts";
import { diagnosticsLog } from "./diagnostics-log.ts";
import { otlpTracesSettings } from "./otlp-traces-settings.ts";

/** `service.name` unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) names another. */
export const DEFAULT_SERVICE_NAME = "trpc-m2m-api";

/** How long a shutdown waits for the last spans to reach the collector. */
export const TRACE_FLUSH_TIMEOUT_MS = 5_000;

export interface Tracing {
  /** The tracer of the api's own (HTTP request) spans. */
  readonly tracer: Tracer;
  /**
   * Export the spans still buffered, then stop: resolves within `timeoutMs` (default
   * TRACE_FLUSH_TIMEOUT_MS) whatever the collector does, and never rejects.
   */
  shutdown(timeoutMs?: number): Promise<void>;
}

/**
 * Start the OpenTelemetry SDK when the environment asks for traces (tracesRequested: an OTLP
 * endpoint is set), else do nothing and return undefined. The SDK reads the standard variables
 * itself from `process.env`: the exporter OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout,
 * compression, certificates), the provider OTEL_TRACES_SAMPLER(_ARG) and the span limits, the
 * batch processor OTEL_BSP_*, the resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. Spans
 * go over OTLP/HTTP, protobuf or JSON; odd values stop the start first (otlpTracesSettings). The provider is registered globally
 * with Node's async context and W3C trace-context propagation, so that the packages' spans (made
 * through @opentelemetry/api) join the api's request spans. Its errors are logged (diagnosticsLog).
 * @throws ConfigurationError naming the variable for an OTEL_* value the api cannot honour.
 */
export function startTracing(log: Logger): Tracing | undefined {
  const env = process.env;
  if (!tracesRequested(env)) return undefined;
  const { protocol } = otlpTracesSettings(env);
  diag.setLogger(diagnosticsLog(log), {
    logLevel: DiagLogLevel.ERROR,
    suppressOverrideMessage: true,
  });
  const exporter = protocol === "http/json" ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  const provider = new NodeTracerProvider({
    resource: apiResource(),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  let stopped: Promise<void> | undefined;
  return {
    tracer: provider.getTracer("@repo/api"),
    shutdown(timeoutMs = TRACE_FLUSH_TIMEOUT_MS) {
      stopped ??= withinTime(provider.shutdown(), timeoutMs).then(() => {
        trace.disable();
      });
      return stopped;
    },
  };
}

/** The SDK's own attributes, then the api's service name, then what the environment says. */
function apiResource(): Resource {
  return defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME }))
    .merge(detectResources({ detectors: [envDetector] }));
}

/** `work`, or nothing once `ms` have passed; never rejects (a failed export is already logged). */
function withinTime(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
