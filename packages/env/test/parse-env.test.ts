import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  boolVar,
  ConfigurationError,
  intVar,
  listVar,
  numberVar,
  parseEnv,
  urlVar,
} from "../src/index.ts";

const BOUNDS = { min: 1, max: 100 };

function refusal(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError");
}

describe("parseEnv", () => {
  const shape = {
    COUNT: intVar("connections", BOUNDS).default(10),
    NAME: z.string().describe("a name for the logs"),
  };

  it("reads the variables of the shape, trimmed, applying defaults", () => {
    expect(parseEnv(shape, { NAME: "  api ", COUNT: " 42 ", OTHER: "ignored" })).toEqual({
      COUNT: 42,
      NAME: "api",
    });
    expect(parseEnv(shape, { NAME: "api" })).toEqual({ COUNT: 10, NAME: "api" });
  });

  it("counts an empty or blank value as unset, so the default applies", () => {
    expect(parseEnv(shape, { NAME: "api", COUNT: "" }).COUNT).toBe(10);
    expect(parseEnv(shape, { NAME: "api", COUNT: "   " }).COUNT).toBe(10);
  });

  it("names a missing required variable with its description", () => {
    const error = refusal(() => parseEnv(shape, { NAME: "" }));
    expect(error.variable).toBe("NAME");
    expect(error.message).toBe("NAME: is required: a name for the logs");
  });

  it("names a malformed variable with what it expects, never echoing the value", () => {
    const error = refusal(() => parseEnv(shape, { NAME: "api", COUNT: "s3cr3t" }));
    expect(error.variable).toBe("COUNT");
    expect(error.message).toBe("COUNT: expected connections, from 1 to 100");
    expect(error.message).not.toContain("s3cr3t");
  });
});

describe("intVar", () => {
  const parse = (value: string) => intVar("milliseconds", BOUNDS).safeParse(value);

  it("accepts whole numbers within the bounds, both ends included", () => {
    expect(parse("1").data).toBe(1);
    expect(parse("100").data).toBe(100);
    expect(parse("007").data).toBe(7);
  });

  it.each(["0", "101", "-5", "1.5", "1e2", "0x10", "ten", ""])("refuses %j", (value) => {
    expect(parse(value).success).toBe(false);
  });

  it("says the unit and the bounds in its description", () => {
    expect(intVar("milliseconds", BOUNDS).description).toBe("milliseconds, from 1 to 100");
  });
});

describe("numberVar", () => {
  const parse = (value: string) => numberVar("seconds", { min: 0, max: 60 }).safeParse(value);

  it("accepts decimals within the bounds", () => {
    expect(parse("0").data).toBe(0);
    expect(parse("0.5").data).toBe(0.5);
    expect(parse("60").data).toBe(60);
  });

  it.each(["60.5", "-0.1", "1e1", ".5", "5.", "Infinity", "NaN", "five"])("refuses %j", (value) => {
    expect(parse(value).success).toBe(false);
  });
});

describe("listVar", () => {
  const parse = (value: string) => listVar("audiences").safeParse(value);

  it("splits on commas, trims and drops empty items", () => {
    expect(parse("a, b ,,c,").data).toEqual(["a", "b", "c"]);
    expect(parse("only").data).toEqual(["only"]);
  });

  it("refuses a list with no item", () => {
    expect(parse(",").success).toBe(false);
    expect(parse(" , ").success).toBe(false);
  });

  it("names the variable when used through parseEnv", () => {
    const error = refusal(() =>
      parseEnv({ AUDIENCES: listVar("API identifiers") }, { AUDIENCES: "," }),
    );
    expect(error.message).toBe("AUDIENCES: expected API identifiers");
  });
});

describe("boolVar and urlVar", () => {
  it("reads true/false, 1/0, yes/no and nothing else", () => {
    const parse = (value: string) => boolVar("a switch").safeParse(value);
    expect(["true", "1", "yes"].map((v) => parse(v).data)).toEqual([true, true, true]);
    expect(["false", "0", "no"].map((v) => parse(v).data)).toEqual([false, false, false]);
    expect(parse("TRUE").success).toBe(false);
    expect(parse("on").success).toBe(false);
  });

  it("accepts absolute http(s) URLs only", () => {
    const parse = (value: string) => urlVar("a URL").safeParse(value).success;
    expect(parse("https://tenant.example.com")).toBe(true);
    expect(parse("http://127.0.0.1:9000/x")).toBe(true);
    expect(parse("localhost:3000")).toBe(false);
    expect(parse("ftp://example.com")).toBe(false);
    expect(parse("/relative")).toBe(false);
  });
});
