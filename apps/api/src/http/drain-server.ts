import type { Server, ServerResponse } from "node:http";
import { Server as NetServer, type Socket } from "node:net";
import type { ShutdownTiming } from "../config.ts";

/** How long a connection accepted before the listener closed has to send its first request. */
const FIRST_REQUEST_GRACE_MS = 1_000;

interface ConnectionState {
  /** Requests received on the connection. */
  served: number;
  /** The latest response; the connection is idle once it has finished. */
  active: ServerResponse | undefined;
}

/**
 * Connection bookkeeping for a graceful stop, installed before the server listens. Node's own
 * server.close() also destroys every connection that has not started a request yet, including one
 * accepted a moment ago whose request is still in flight on the network; this keeps those.
 */
export function trackConnections(
  server: Server,
): (timing: ShutdownTiming, delayCut: Promise<void>) => Promise<void> {
  const connections = new Map<Socket, ConnectionState>();
  let draining = false;
  server.on("connection", (socket: Socket) => {
    connections.set(socket, { served: 0, active: undefined });
    socket.once("close", () => connections.delete(socket));
  });
  server.on("request", (req, res) => {
    const state = connections.get(req.socket);
    if (state === undefined) return;
    // Read when shutting down rather than told by a "finish" listener: this runs for every
    // request, and a listener per response is a measurable part of a short request's cost.
    state.active = res;
    state.served++;
    if (draining && !res.headersSent) res.setHeader("connection", "close");
  });

  function closeIdle(includeFresh: boolean): void {
    for (const [socket, state] of connections) {
      const idle = state.active === undefined || state.active.writableFinished;
      if (idle && (includeFresh || state.served > 0)) socket.destroy();
    }
  }

  /**
   * Keep serving for `delayMs` (the time a load balancer or Kubernetes needs to stop routing here
   * after readiness flips: endpoint removal runs asynchronously to SIGTERM), then stop accepting,
   * let in-flight requests finish with `connection: close`, close keep-alive connections as soon
   * as they are idle, and cut whatever is left after `timeoutMs`. Resolves once every connection
   * is gone. The delay ends early when `delayCut` resolves (an operator's second signal).
   */
  return async (timing, delayCut) => {
    if (timing.delayMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise((resolve) => {
          timer = setTimeout(resolve, timing.delayMs);
        }),
        delayCut,
      ]);
      clearTimeout(timer);
    }
    draining = true;
    for (const state of connections.values()) {
      if (state.active !== undefined && !state.active.headersSent)
        state.active.setHeader("connection", "close");
    }
    // net.Server's close: stop listening and call back once every connection has ended, without
    // http.Server's sweep of connections that have not sent their first request yet.
    const closed = new Promise<void>((resolve) =>
      NetServer.prototype.close.call(server, () => resolve()),
    );
    closeIdle(false);
    const sweep = setInterval(() => closeIdle(false), 20);
    const fresh = setTimeout(
      () => closeIdle(true),
      Math.min(FIRST_REQUEST_GRACE_MS, timing.timeoutMs),
    );
    const deadline = setTimeout(() => {
      for (const socket of connections.keys()) socket.destroy();
    }, timing.timeoutMs);
    try {
      await closed;
    } finally {
      clearInterval(sweep);
      clearTimeout(fresh);
      clearTimeout(deadline);
    }
  };
}
