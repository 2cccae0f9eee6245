import { isRestPath } from "../http/rest-routes.ts";
import { appRouter } from "../router.ts";

const TRPC_PREFIX = "/trpc/";
const PROCEDURES = new Set(Object.keys(appRouter._def.procedures));
/** Paths served outside tRPC and the REST routes; each is its own label. */
const FIXED_PATHS = new Set(["/healthz", "/readyz"]);

/**
 * The `route` label of a request: one of a fixed set, never the raw URL (a label value per
 * distinct URL would let any client grow the metrics without bound, and a URL can carry secrets).
 * - `/trpc/<procedure>` for one call of a procedure the router defines,
 * - `trpc_batch` for a batch of several defined procedures (what httpBatchLink sends),
 * - `trpc_other` for anything else under /trpc/,
 * - the REST routes (`/public`, `/protected`), `/healthz` and `/readyz` as themselves,
 * - `other` for everything else (404s, probes).
 */
export function routeLabel(url: string | undefined): string {
  const raw = url ?? "/";
  const query = raw.indexOf("?");
  const path = query === -1 ? raw : raw.slice(0, query);
  if (path.startsWith(TRPC_PREFIX)) return trpcLabel(path.slice(TRPC_PREFIX.length));
  if (isRestPath(path) || FIXED_PATHS.has(path)) return path;
  return "other";
}

function trpcLabel(procedurePath: string): string {
  let names: string[];
  try {
    // tRPC decodes each name, so /trpc/prot%65cted calls `protected`: label it the same way.
    names = procedurePath.split(",").map(decodeURIComponent);
  } catch {
    return "trpc_other";
  }
  if (!names.every((name) => PROCEDURES.has(name))) return "trpc_other";
  return names.length === 1 ? `${TRPC_PREFIX}${names[0]}` : "trpc_batch";
}
