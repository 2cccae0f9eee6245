import type { IncomingMessage } from "node:http";
import {
  type PathSeparator,
  urlPathToProcedurePath,
} from "@trpc/server/unstable-core-do-not-import";

/** The tRPC base path of the api. */
export const TRPC_BASE_PATH = "/trpc/";

/** Whether the client asked for a jsonl stream (httpBatchStreamLink), as tRPC reads it. */
export function acceptsStream(req: IncomingMessage): boolean {
  const trpcAccept = req.headers["trpc-accept"];
  if (trpcAccept !== undefined) return trpcAccept === "application/jsonl";
  return (req.headers.accept ?? "").split(",").some((type) => type.trim() === "application/jsonl");
}

/** A request target under /trpc/, read as tRPC reads it. */
export interface TrpcTarget {
  /** `batch=1` in the query (tRPC's `searchParams.get("batch") === "1"`). */
  readonly batch: boolean;
  /** The query's parameters as tRPC sees them; undefined when there is no query. */
  readonly params: URLSearchParams | undefined;
  /**
   * The called procedure paths: the whole path decoded, then split on commas when `batch`.
   * Undefined when its percent-encoding is malformed (tRPC answers that 400 BAD_REQUEST).
   */
  readonly paths: readonly string[] | undefined;
}

/** Trimmed as tRPC's standalone adapter trims its `basePath` option. */
const BASE = "trpc";

/**
 * A target whose every character the WHATWG URL parser keeps as it is (printable ASCII; in the path
 * no `/`, `\`, `?` or `#`; in the query no `#`): for these, the parser's path and query are the raw
 * text, so the URL object is not needed. Anything else takes the parser's route.
 */
const PLAIN_TARGET =
  /^\/trpc\/([\x21\x22\x24-\x2e\x30-\x3e\x40-\x5b\x5d-\x7e]+)(?:\?([\x21\x22\x24-\x7e]*))?$/;

/** `.` and `..` in any spelling the URL parser resolves as a dot segment. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * The procedure paths and query of a request target the api routes to tRPC (its path starts with
 * /trpc/), exactly as @trpc/server 11.25.2 reads them: the standalone adapter takes the WHATWG URL's
 * pathname (dot segments resolved, `\` read as `/`, `#` ending it), trims one slash from each end,
 * drops the base path and trims again; resolveResponse decodes that whole path with
 * decodeURIComponent (failing with 400 on malformed percent-encoding), maps the path separator
 * to `.`, and only then splits a batch on commas. Whoever decides something about a request's
 * procedures before or beside tRPC (the stream refusal, the fast query path, the metrics route
 * label) must read the same names from it: a check that split first and decoded each part would
 * see `protected%2Csecret` as one unknown name where tRPC calls two procedures.
 */
export function parseTrpcTarget(target: string, separator: PathSeparator = "."): TrpcTarget {
  let path: string;
  let params: URLSearchParams | undefined;
  const plain = PLAIN_TARGET.exec(target);
  const query = plain?.[2];
  // URLSearchParams would drop a second leading `?` that the URL's own parameters keep.
  if (plain !== null && !DOT_SEGMENT.test(plain[1] as string) && query?.[0] !== "?") {
    path = plain[1] as string;
    params = query === undefined || query === "" ? undefined : new URLSearchParams(query);
  } else {
    let url: URL;
    try {
      // Relative to a fixed origin: a target starting with one slash never takes its host.
      url = new URL(target, "http://localhost");
    } catch {
      return { batch: false, params: undefined, paths: undefined };
    }
    path = trimSlashes(trimSlashes(url.pathname).slice(BASE.length));
    params = url.search === "" ? undefined : url.searchParams;
  }
  const batch = params?.get("batch") === "1";
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return { batch, params, paths: undefined };
  }
  const procedurePath = urlPathToProcedurePath(decoded, separator);
  return { batch, params, paths: batch ? procedurePath.split(",") : [procedurePath] };
}

/** The standalone adapter's trimSlashes: one leading and one trailing slash, no more. */
function trimSlashes(path: string): string {
  const start = path.startsWith("/") ? path.slice(1) : path;
  return start.endsWith("/") ? start.slice(0, -1) : start;
}
