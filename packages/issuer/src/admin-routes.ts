import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { sendJson } from "./json-response.ts";
import type { LocalIssuer } from "./local-issuer-types.ts";
import { isLoopbackAddress } from "./loopback-address.ts";
import { OAuthError } from "./oauth-error.ts";
import { readRequestBody } from "./request-body.ts";
import type { Route } from "./request-router.ts";

const jwksModeBody = z.object({ mode: z.enum(["ok", "error", "invalid-json", "empty", "hang"]) });
const failTokenRequestsBody = z.object({
  status: z.number().int().min(400).max(599),
  count: z.number().int().min(0),
  retryAfterSeconds: z.number().int().min(0).optional(),
});
const tokenLifetimeBody = z.object({ seconds: z.number().int().positive() });

/**
 * `/__admin/*`: the fault switches of LocalIssuer over HTTP, for driving a separately started
 * issuer (demo, manual tests). Unauthenticated, hence only mounted when explicitly enabled, and
 * answering loopback callers only (403 otherwise), whatever interface the issuer listens on.
 */
export function adminRoutes(issuer: LocalIssuer): Map<string, Route> {
  const routes = new Map<string, Route>([
    [
      "/__admin/rotate-key",
      {
        methods: ["POST"],
        handle: async (_req, res) => sendJson(res, 200, { kid: await issuer.rotateKey() }),
      },
    ],
    [
      "/__admin/jwks-mode",
      {
        methods: ["POST"],
        handle: (req, res) =>
          withJsonBody(req, res, jwksModeBody, ({ mode }) => {
            issuer.setJwksMode(mode);
            return { mode };
          }),
      },
    ],
    [
      "/__admin/fail-token-requests",
      {
        methods: ["POST"],
        handle: (req, res) =>
          withJsonBody(req, res, failTokenRequestsBody, (options) => {
            issuer.failTokenRequests(options);
            return options;
          }),
      },
    ],
    [
      "/__admin/token-lifetime",
      {
        methods: ["POST"],
        handle: (req, res) =>
          withJsonBody(req, res, tokenLifetimeBody, ({ seconds }) => {
            issuer.setTokenLifetime(seconds);
            return { seconds };
          }),
      },
    ],
    [
      "/__admin/counts",
      { methods: ["GET"], handle: (_req, res) => sendJson(res, 200, issuer.requestCounts()) },
    ],
  ]);
  for (const [path, route] of routes) routes.set(path, loopbackOnly(route));
  return routes;
}

/**
 * `route`, refusing with 403 a caller whose address is not loopback. The socket's peer address
 * is what counts, never a header such as X-Forwarded-For, which any caller can write.
 */
export function loopbackOnly(route: Route): Route {
  return {
    ...route,
    handle: (req, res) => {
      if (isLoopbackAddress(req.socket.remoteAddress)) return route.handle(req, res);
      sendJson(res, 403, {
        error: "access_denied",
        error_description: "admin routes answer loopback callers only",
      });
    },
  };
}

async function withJsonBody<T>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: z.ZodType<T>,
  apply: (value: T) => unknown,
): Promise<void> {
  let text: string;
  try {
    text = await readRequestBody(req, 16 * 1024);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return sendJson(res, error.status, error.body());
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return sendJson(res, 400, { error: "invalid_request", error_description: "body is not JSON" });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const description = z.prettifyError(result.error).replaceAll("\n", " ");
    return sendJson(res, 400, { error: "invalid_request", error_description: description });
  }
  sendJson(res, 200, apply(result.data));
}
