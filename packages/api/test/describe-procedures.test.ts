import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { appRouter } from "../src/router.ts";
import { describeProcedures } from "../src/trpc/describe-procedures.ts";
import { t } from "../src/trpc/init.ts";
import { protectedProcedure, requireScopes, router } from "../src/trpc/procedures.ts";

describe("every procedure declares its access", () => {
  it("describeProcedures lists each procedure with its kind, access and scopes", () => {
    expect(describeProcedures(appRouter)).toEqual([
      { path: "onMessage", kind: "subscription", access: "protected", scopes: ["read:messages"] },
      { path: "postMessage", kind: "mutation", access: "protected", scopes: ["write:messages"] },
      { path: "protected", kind: "query", access: "protected", scopes: [] },
      { path: "public", kind: "query", access: "public", scopes: [] },
      { path: "secret", kind: "query", access: "protected", scopes: ["read:secret"] },
    ]);
  });

  it("README's procedure table lists the same procedures, kinds and scopes", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("## Procedures\n");
    const table = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const rows = [...table.matchAll(/^\| `(\w+)` \| (\w+)[^|]* \| ([^|]+) \|$/gm)].map(
      ([, path, kind, access]) => ({
        path,
        kind,
        scopes: [...(access ?? "").matchAll(/scope `([^`]+)`/g)].map((m) => m[1]),
      }),
    );
    const listed = describeProcedures(appRouter).map(({ path, kind, scopes }) => ({
      path,
      kind,
      scopes,
    }));
    expect(rows.sort((a, b) => (a.path ?? "").localeCompare(b.path ?? ""))).toEqual(listed);
  });

  it("no procedure is undeclared (built on neither publicProcedure nor protectedProcedure)", () => {
    const undeclared = describeProcedures(appRouter).filter((p) => p.access === "undeclared");
    expect(undeclared.map((p) => p.path)).toEqual([]);
  });

  it("reports a bare procedure, or public meta on an unverified scope check, as undeclared", () => {
    const probe = router({
      bare: t.procedure.query(() => "x"),
      relabelled: t.procedure.meta({ access: "public" }).query(() => "x"),
      sneaky: protectedProcedure.meta({ access: "public" }).query(() => "x"),
    });
    expect(describeProcedures(probe).map((p) => [p.path, p.access])).toEqual([
      ["bare", "undeclared"],
      ["relabelled", "public"],
      ["sneaky", "protected"],
    ]);
  });

  it("refuses a procedure using requireScopes twice (its meta would hide the first scopes)", () => {
    const probe = router({
      twice: protectedProcedure
        .concat(requireScopes("a"))
        .concat(requireScopes("b"))
        .query(() => "x"),
    });
    expect(() => describeProcedures(probe)).toThrow(/one requireScopes/);
  });
});
