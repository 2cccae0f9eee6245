import type { Server } from "node:http";
import type { ShutdownTiming } from "../config.ts";

/**
 * Stop a server without losing an accepted request: keep serving for `delayMs` (the time a load
 * balancer or Kubernetes needs to stop routing here after readiness flips; endpoint removal is
 * asynchronous to SIGTERM), then close the listener, let in-flight requests finish with
 * `connection: close`, close keep-alive connections as soon as they are idle, and cut whatever is
 * left after `timeoutMs`. Resolves once every connection is gone.
 */
export async function drainServer(server: Server, timing: ShutdownTiming): Promise<void> {
  if (timing.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, timing.delayMs));
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A response finishing from now on ends its connection: no keep-alive reuse of a closing server.
  server.on("request", (_req, res) => {
    if (!res.headersSent) res.setHeader("connection", "close");
  });
  const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  const deadline = setTimeout(() => server.closeAllConnections(), timing.timeoutMs);
  try {
    await closed;
  } finally {
    clearInterval(idleSweep);
    clearTimeout(deadline);
  }
}
