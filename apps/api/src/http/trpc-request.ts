import type { IncomingMessage } from "node:http";

/** The tRPC base path of the api. */
export const TRPC_BASE_PATH = "/trpc/";

/** Whether the client asked for a jsonl stream (httpBatchStreamLink), as tRPC reads it. */
export function acceptsStream(req: IncomingMessage): boolean {
  const trpcAccept = req.headers["trpc-accept"];
  if (trpcAccept !== undefined) return trpcAccept === "application/jsonl";
  return (req.headers.accept ?? "").split(",").some((type) => type.trim() === "application/jsonl");
}

/**
 * The procedure paths of a tRPC request (comma-separated when `batch=1`, as tRPC splits them),
 * still URL-encoded, and whether it is a batch. Only counts: nothing is decoded or looked up.
 */
export function requestedPaths(
  procedurePath: string,
  search: string,
): { batch: boolean; paths: string[] } {
  const batch = search !== "" && new URLSearchParams(search).get("batch") === "1";
  return { batch, paths: batch ? procedurePath.split(",") : [procedurePath] };
}
