import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { initTRPC } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { PathSeparator } from "@trpc/server/unstable-core-do-not-import";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTrpcTarget } from "../src/http/trpc-request.ts";
import { send } from "./support/http-exchange.ts";

// parseTrpcTarget is what the stream refusal, the fast query path and the metrics route label
// decide by: it must read every target as tRPC's own adapter does. tRPC tells what it read through
// responseMeta (`info.calls[].path`, `info.isBatchCall`, `info.url`), so a real adapter serving
// real requests is the reference.

interface Reading {
  readonly batch: boolean;
  readonly paths: readonly string[] | undefined;
  readonly params: readonly [string, string][];
}

let server: Server;
let baseUrl: string;
let last: Reading | undefined;
let reached = false;

function adapterFor(separator: PathSeparator) {
  const t = initTRPC.create({ pathSeparator: separator });
  const router = t.router({
    a: t.procedure.query(() => "a"),
    nested: t.router({ b: t.procedure.query(() => "b") }),
  });
  return createHTTPHandler({
    router,
    basePath: "/trpc/",
    responseMeta({ info }) {
      last = {
        batch: info?.isBatchCall ?? false,
        paths: info?.calls.map((call) => call.path),
        params: [...(info?.url?.searchParams.entries() ?? [])],
      };
      return {};
    },
  });
}

const adapters = { ".": adapterFor("."), "~": adapterFor("~") };

beforeAll(async () => {
  server = createServer((req, res) => {
    reached = true;
    const separator = req.headers["x-separator"] === "~" ? "~" : ".";
    adapters[separator](req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/**
 * What tRPC read of `target` (paths undefined when it refused the path's encoding), or undefined
 * when Node's HTTP parser refused the request line before any handler ran.
 */
async function trpcReads(target: string, separator: PathSeparator): Promise<Reading | undefined> {
  last = undefined;
  reached = false;
  const res = await send(baseUrl, target, { headers: { "x-separator": separator } });
  if (!reached) return undefined;
  if (last === undefined) throw new Error(`tRPC answered ${res.status} without responseMeta`);
  return last;
}

function ourReading(target: string, separator: PathSeparator): Reading {
  const parsed = parseTrpcTarget(target, separator);
  return {
    batch: parsed.paths === undefined ? false : parsed.batch,
    paths: parsed.paths,
    params: parsed.paths === undefined ? [] : [...(parsed.params?.entries() ?? [])],
  };
}

// Pieces of targets around the spellings that differ between "split, then decode" and tRPC's
// "parse the URL, decode, then split".
const PATH_PIECES = [
  "a",
  "nested",
  "b",
  ".",
  "..",
  "~",
  ",",
  "%2C",
  "%2c",
  "%2E",
  "%2e",
  "%2F",
  "/",
  "\\",
  "%",
  "%zz",
  "%E2%82%AC",
  "%C3",
  "é",
  '"',
  "<",
  "{",
  "`",
  "#",
  "'",
];
const QUERY_PIECES = ["batch=1", "batch=0", "&", "input=%7B%7D", "?", "#", "=", "%", "+", "é", "'"];

describe("parseTrpcTarget reads a target as tRPC's adapter does", () => {
  it.each([
    ["/trpc/a", ["a"], false],
    ["/trpc/a,a?batch=1", ["a", "a"], true],
    ["/trpc/a%2Ca?batch=1", ["a", "a"], true],
    ["/trpc/a%2ca?batch=1", ["a", "a"], true],
    ["/trpc/a%2Ca", ["a,a"], false],
    ["/trpc/a/", ["a"], false],
    ["/trpc/x/../a", ["a"], false],
    ["/trpc/x/%2E%2E/a", ["a"], false],
    ["/trpc/x\\..\\a", ["a"], false],
    ["/trpc//a", ["/a"], false],
    ["/trpc/a?batch=1#x", ["a"], true],
    ["/trpc/a#?batch=1", ["a"], false],
    ["/trpc/", [""], false],
    ["/trpc/%zz", undefined, false],
    ["/trpc/a%2C%E0%A4%A?batch=1", undefined, false],
  ])("%s: %j", async (target, paths, batch) => {
    expect(ourReading(target, ".")).toEqual(await trpcReads(target, "."));
    expect(parseTrpcTarget(target).paths).toEqual(paths);
    if (paths !== undefined) expect(parseTrpcTarget(target).batch).toBe(batch);
  });

  it("maps the router's path separator to dots after decoding, as tRPC does", async () => {
    for (const target of ["/trpc/nested~b", "/trpc/nested%7Eb,a?batch=1", "/trpc/nested.b"]) {
      expect(ourReading(target, "~"), target).toEqual(await trpcReads(target, "~"));
    }
    expect(parseTrpcTarget("/trpc/nested~b", "~").paths).toEqual(["nested.b"]);
  });

  it("for random targets built from the spellings that differ", async () => {
    const target = fc
      .tuple(
        fc.array(fc.constantFrom(...PATH_PIECES), { minLength: 0, maxLength: 8 }),
        fc.option(fc.array(fc.constantFrom(...QUERY_PIECES), { maxLength: 6 }), { nil: undefined }),
      )
      .map(
        ([path, query]) =>
          `/trpc/${path.join("")}${query === undefined ? "" : `?${query.join("")}`}`,
      );
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom<PathSeparator>(".", "~"), async (t, separator) => {
        const reference = await trpcReads(t, separator);
        if (reference !== undefined) expect(ourReading(t, separator), t).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });
});
