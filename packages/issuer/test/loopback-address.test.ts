import { describe, expect, it } from "vitest";
import { describeBindAddress, isLoopbackAddress, isLoopbackHost } from "../src/loopback-address.ts";

describe("isLoopbackAddress (who may call the admin routes)", () => {
  it.each([
    "127.0.0.1",
    "127.0.0.2",
    "127.255.255.254",
    "::1",
    "0:0:0:0:0:0:0:1",
    "::ffff:127.0.0.1",
    "::ffff:127.1.2.3",
    "::ffff:7f00:1",
  ])("counts %s as loopback", (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each([
    "10.0.0.5",
    "192.168.1.20",
    "128.0.0.1",
    "0.0.0.0",
    "::",
    "fe80::1",
    "2001:db8::1",
    "::ffff:10.0.0.5",
    "::ffff:0:127.0.0.1",
    "localhost",
    "",
    undefined,
  ])("does not count %s as loopback", (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });
});

describe("isLoopbackHost and describeBindAddress (what the issuer says about its bind)", () => {
  it("treats localhost and loopback addresses as loopback, wildcards and others not", () => {
    expect(["localhost", "LOCALHOST", "127.0.0.1", "::1"].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["0.0.0.0", "::", "192.168.1.20", "issuer.internal"].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("names a wildcard bind as all interfaces, anything else as given", () => {
    expect(describeBindAddress("0.0.0.0")).toBe("all IPv4 interfaces (0.0.0.0)");
    expect(describeBindAddress("::")).toBe("all interfaces (::)");
    expect(describeBindAddress("0:0:0:0:0:0:0:0")).toBe("all interfaces (::)");
    expect(describeBindAddress("127.0.0.1")).toBe("127.0.0.1");
    expect(describeBindAddress("::1")).toBe("::1");
  });
});
