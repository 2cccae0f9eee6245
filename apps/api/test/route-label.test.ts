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
    ["/trpc/public%2Cprotected?batch=1", "trpc_batch"],
    ["/trpc/public%2cprotected?batch=1", "trpc_batch"],
    // Not a batch: tRPC looks for one procedure named "public,protected".
    ["/trpc/public,protected", "trpc_other"],
    ["/trpc/protected/", "/trpc/protected"],
    ["/trpc/x/../secret", "/trpc/secret"],
    ["/trpc/secret#fragment", "/trpc/secret"],
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

describe("route label of a batch: the procedures tRPC calls, however the commas are spelled", () => {
  it.each(["public,protected", "protected,secret", "secret,secret,public", "public,nope"])(
    "%s: the same label with , %2C and %2c",
    (names) => {
      const label = routeLabel(`/trpc/${names}?batch=1`);
      for (const comma of ["%2C", "%2c"]) {
        expect(routeLabel(`/trpc/${names.replaceAll(",", comma)}?batch=1`)).toBe(label);
      }
    },
  );
});
