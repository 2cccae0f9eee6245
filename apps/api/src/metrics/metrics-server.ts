import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Readiness } from "../http/readiness.ts";

/** Defaults of the metrics listener, written once (METRICS_HOST reads them through config.ts). */
export const METRICS_LISTENER_DEFAULTS = {
  /**
   * Loopback: metrics describe the api's internals (refusal reasons, key set failures) and are
   * not for the public. Where a scraper reaches the pod over its network (Kubernetes), set
   * METRICS_HOST=0.0.0.0 and keep the port out of the Service the public reaches.
   */
  host: "127.0.0.1",
} as const;

export interface MetricsServerOptions {
  readonly registry: Registry;
  /** 0 picks an ephemeral port. */
  readonly port: number;
  /** Default 127.0.0.1 (METRICS_LISTENER_DEFAULTS). */
  readonly host?: string;
  /** The api's readiness, served with its detail at GET /readyz; default: no such route. */
  readonly readiness?: () => Readiness;
}

export interface RunningMetricsServer {
  /** Where Prometheus scrapes, e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A listener of its own for GET /metrics (Prometheus text format), apart from the api's port so
 * that exposing the api never exposes its metrics, and for GET /readyz with the detail the public
 * one leaves out (why the key set is not loaded, its last fetch error). Anything else is 404 or 405.
 */
export async function startMetricsServer(
  options: MetricsServerOptions,
): Promise<RunningMetricsServer> {
  const { registry } = options;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const { readiness } = options;
    if (path !== "/metrics" && (path !== "/readyz" || readiness === undefined)) {
      return sendText(res, 404, "Not found: metrics are at /metrics\n");
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return sendText(res, 405, "Use GET\n", { allow: "GET, HEAD" });
    }
    if (path === "/readyz" && readiness !== undefined) {
      const { status, detail } = readiness();
      return sendText(res, status, `${JSON.stringify(detail)}\n`, {
        "content-type": "application/json",
      });
    }
    registry.metrics().then(
      (text) => sendText(res, 200, text, { "content-type": registry.contentType }),
      // A collector failing is a bug of ours; the scraper learns only that the scrape failed.
      () => sendText(res, 500, "Metrics collection failed\n"),
    );
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? METRICS_LISTENER_DEFAULTS.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === "IPv6" ? `[${address}]` : address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Shutting down: a scrape cut short costs nothing, a scraper's keep-alive must not wait.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(body);
}
