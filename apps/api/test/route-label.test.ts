import { describe, expect, it } from "vitest";
import { routeLabel } from "../src/metrics/route-label.ts";

describe("route label: a fixed set, never the raw URL", () => {
  it.each([
    ["/trpc/public", "/trpc/public"],
    ["/trpc/protected?input=%7B%7D", "/trpc/protected"],
    ["/trpc/secret", "/trpc/secret"],
    ["/trpc/prot%65cted", "/trpc/protected"],
    ["/trpc/protected?batch=1", "/trpc/protected"],
    ["/trpc/public,protected?batch=1", "trpc_batch"],
    ["/trpc/public,nope?batch=1", "trpc_other"],
    ["/trpc/nope", "trpc_other"],
    ["/trpc/%E0%A4%A", "trpc_other"],
    ["/trpc/", "trpc_other"],
    ["/trpc/__proto__", "trpc_other"],
    ["/public", "/public"],
    ["/protected?x=1", "/protected"],
    ["/healthz", "/healthz"],
    ["/readyz", "/readyz"],
    ["/", "other"],
    ["/metrics", "other"],
    ["/protected/", "other"],
    ["/eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "other"],
    ["*", "other"],
    [undefined, "other"],
  ])("labels %s as %s", (url, label) => {
    expect(routeLabel(url)).toBe(label);
  });
});
