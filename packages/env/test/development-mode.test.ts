import { describe, expect, it } from "vitest";
import { isDevelopmentMode } from "../src/index.ts";

describe("isDevelopmentMode (from the sources)", () => {
  it.each(["development", "test"])("is on with NODE_ENV=%s exactly", (mode) => {
    expect(isDevelopmentMode({ NODE_ENV: mode })).toBe(true);
  });

  it.each([
    undefined,
    "",
    "production",
    "Production",
    "staging",
    "prod",
    "dev",
    "Development",
    "TEST",
    " development",
  ])("is off with NODE_ENV=%j: anything but the two exact values is production", (mode) => {
    expect(isDevelopmentMode(mode === undefined ? {} : { NODE_ENV: mode })).toBe(false);
  });
});
