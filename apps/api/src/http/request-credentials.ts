import type { IncomingMessage } from "node:http";
import { isIP, type Socket } from "node:net";
import { type ContextDeps, RequestAuthorization } from "@repo/api-router";
import { type DpopRequest, normalizeHttpUri } from "@repo/auth/server";
import { authorizationHeader } from "./authorization-header.ts";

/** What the HTTP transports need besides the context deps. */
export interface EdgeDeps extends ContextDeps {
  /**
   * Base URL clients reach the api at (API_PUBLIC_URL, no trailing slash): DPoP proofs name it in
   * `htu`. Undefined: the address the request arrived at.
   */
  readonly publicUrl?: string | undefined;
}

/** The request's credentials: Authorization, and DPoP with the method and URL a proof must name. */
export function requestAuthorization(req: IncomingMessage, deps: EdgeDeps): RequestAuthorization {
  return new RequestAuthorization(
    authorizationHeader(req),
    deps.dpop,
    new HttpDpopRequest(req, deps.publicUrl),
  );
}

/** What a proof must describe, read from the request only when a proof is checked. */
class HttpDpopRequest implements DpopRequest {
  readonly #req: IncomingMessage;
  readonly #publicUrl: string | undefined;

  constructor(req: IncomingMessage, publicUrl: string | undefined) {
    this.#req = req;
    this.#publicUrl = publicUrl;
  }

  get proofs(): readonly string[] | undefined {
    // Node joins repeated DPoP lines with ", ", which the proof check refuses as two headers.
    const dpop = this.#req.headers.dpop;
    return dpop === undefined ? undefined : typeof dpop === "string" ? [dpop] : dpop;
  }

  get method(): string {
    return this.#req.method ?? "GET";
  }

  acceptedHtus(): readonly string[] {
    return proofTargets(this.#req, this.#publicUrl);
  }
}

// Kept on the request itself: a WeakMap keyed by requests costs the garbage collector more.
const SHARED = Symbol("requestAuthorization");
type WithShared = IncomingMessage & { [SHARED]?: RequestAuthorization };

/**
 * The one RequestAuthorization of a request whose credentials are read by more than one tRPC
 * context (a jsonl stream's check, then the stream): they share the proof's verdict, since its
 * `jti` can be spent only once.
 */
export function sharedRequestAuthorization(
  req: IncomingMessage,
  deps: EdgeDeps,
): RequestAuthorization {
  const shared = req as WithShared;
  shared[SHARED] ??= requestAuthorization(req, deps);
  return shared[SHARED];
}

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];
/** A stand-in origin: the path is normalised alone, then put under each accepted origin. */
const PATH_BASE = "http://h";

// The origins a connection's requests may name, worked out once per connection (keep-alive).
const originsBySocket = new WeakMap<Socket, readonly string[]>();

/**
 * The URLs a DPoP proof for this request may name in `htu` (RFC 9449 §4.3: the request's URL
 * without query and fragment), normalised: under API_PUBLIC_URL when set (behind a proxy the
 * client names the proxy); otherwise the address and port the request arrived at, where a
 * loopback address also goes by `localhost`, `127.0.0.1` and `[::1]`. The Host header is never
 * used: it is the client's to choose.
 */
export function proofTargets(req: IncomingMessage, publicUrl: string | undefined): string[] {
  const target = req.url ?? "/";
  const end = target.search(/[?#]/);
  const suffix = normalizedPath(end === -1 ? target : target.slice(0, end));
  if (suffix === undefined) return [];
  const origins = publicUrl === undefined ? socketOrigins(req.socket) : publicOrigin(publicUrl);
  return origins.map((origin) => `${origin}${suffix}`);
}

// The api has a handful of paths: each is normalised once. Cleared when full (any path may come).
const normalizedPaths = new Map<string, string | undefined>();
const MAX_NORMALIZED_PATHS = 1000;

function normalizedPath(path: string): string | undefined {
  if (normalizedPaths.has(path)) return normalizedPaths.get(path);
  if (normalizedPaths.size >= MAX_NORMALIZED_PATHS) normalizedPaths.clear();
  const normalized = normalizeHttpUri(`${PATH_BASE}${path}`)?.slice(PATH_BASE.length);
  normalizedPaths.set(path, normalized);
  return normalized;
}

let lastPublic: { readonly url: string; readonly origins: readonly string[] } | undefined;

/** API_PUBLIC_URL normalised, its path prefix kept without the trailing slash. */
function publicOrigin(publicUrl: string): readonly string[] {
  if (lastPublic?.url !== publicUrl) {
    const normalized = normalizeHttpUri(publicUrl)?.replace(/\/+$/, "");
    lastPublic = { url: publicUrl, origins: normalized === undefined ? [] : [normalized] };
  }
  return lastPublic.origins;
}

function socketOrigins(socket: Socket): readonly string[] {
  let origins = originsBySocket.get(socket);
  if (origins === undefined) {
    const address = socket.localAddress ?? "";
    const mapped = address.startsWith("::ffff:") ? address.slice(7) : address;
    const isLoopback = mapped === "::1" || mapped.startsWith("127.");
    const hosts = isLoopback ? [...LOOPBACK_HOSTS] : [isIP(mapped) === 6 ? `[${mapped}]` : mapped];
    if (isLoopback && !["127.0.0.1", "::1"].includes(mapped)) hosts.push(mapped);
    origins = hosts.flatMap((host) => {
      const origin = normalizeHttpUri(`http://${host}:${socket.localPort}/`);
      return origin === undefined ? [] : [origin.slice(0, -1)];
    });
    originsBySocket.set(socket, origins);
  }
  return origins;
}
