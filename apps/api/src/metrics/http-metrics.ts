import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Histogram, type Registry } from "prom-client";
import { routeLabel } from "./route-label.ts";

/** Upper bounds in seconds: a cached verification is well under a millisecond, a cold one a fetch. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Requests by route and status, and their duration by route. Returns the `request` listener to put
 * in front of the api's own: it only attaches a `finish` listener, so it never touches the answer.
 */
export function httpMetrics(
  registry: Registry,
): (req: IncomingMessage, res: ServerResponse) => void {
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP responses sent by the api, by route (a fixed set, see docs/operations.md) and status code",
    labelNames: ["route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time from a request's arrival to its response being handed to the OS, by route",
    labelNames: ["route"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  return (req, res) => {
    const route = routeLabel(req.url);
    const endTimer = duration.startTimer({ route });
    // A response cut before it finished (client gone, server closing) is not counted: its status
    // was never delivered.
    res.once("finish", () => {
      requests.inc({ route, status: String(res.statusCode) });
      endTimer();
    });
  };
}
