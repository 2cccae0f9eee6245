import { appRouter, routerInternals } from "@repo/api-router";
import { isRestPath } from "../http/rest-routes.ts";
import { parseTrpcTarget, TRPC_BASE_PATH } from "../http/trpc-request.ts";

const { procedures, pathSeparator } = routerInternals(appRouter);
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
 * The procedures are read as tRPC reads them (parseTrpcTarget), so every spelling of a call
 * (`prot%65cted`, `protected%2Csecret?batch=1`) gets the label of what tRPC runs.
 */
export function routeLabel(url: string | undefined): string {
  const raw = url ?? "/";
  const query = raw.indexOf("?");
  const path = query === -1 ? raw : raw.slice(0, query);
  if (path.startsWith(TRPC_BASE_PATH)) return trpcLabel(raw);
  if (isRestPath(path) || FIXED_PATHS.has(path)) return path;
  return "other";
}

function trpcLabel(target: string): string {
  const { paths } = parseTrpcTarget(target, pathSeparator);
  if (paths === undefined || !paths.every((name) => procedures.has(name))) return "trpc_other";
  return paths.length === 1 ? `${TRPC_BASE_PATH}${paths[0]}` : "trpc_batch";
}
