import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  checkedInput,
  InvalidInputError,
  inputIssues,
  publicMessage,
} from "../src/trpc/checked-input.ts";

// checkedInput's refusals say what is wrong without repeating what the caller sent. The hostile
// keys and values below carry the marker "zzhostile", which no refusal may contain.
async function refusal(schema: z.ZodType, value: unknown): Promise<InvalidInputError> {
  try {
    await checkedInput(schema)["~standard"].validate(value);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error("the input was accepted");
}

const HOSTILE_KEY = "<script>zzhostile</script>\u001b[2J";

describe("checkedInput", () => {
  it("accepts what the schema accepts, with the schema's output", async () => {
    const schema = z.strictObject({ text: z.string().trim() });
    expect(await checkedInput(schema)["~standard"].validate({ text: " hi " })).toEqual({
      value: { text: "hi" },
    });
  });

  it("names an unrecognised key by count, never by name", async () => {
    const error = await refusal(z.strictObject({ a: z.string() }), {
      a: "x",
      [HOSTILE_KEY]: 1,
      other: 2,
    });
    expect(error.issues).toEqual([
      { path: "", code: "unrecognized_keys", message: "Has 2 keys that are not allowed here" },
    ]);
    expect(JSON.stringify(error.issues)).not.toMatch(/zzhostile|other/);
  });

  it("keeps a path through the keys and array indexes the schema defines", async () => {
    const schema = z.strictObject({
      items: z.array(z.strictObject({ name: z.string().max(3) })).optional(),
    });
    const error = await refusal(schema, { items: [{ name: "ok" }, { name: "toolong" }] });
    expect(error.issues).toEqual([
      { path: "items.1.name", code: "too_big", message: "Too big: at most 3 characters" },
    ]);
  });

  it("cuts a path before a key the caller chose (a record's)", async () => {
    const schema = z.strictObject({ scores: z.record(z.string(), z.number()) });
    const error = await refusal(schema, { scores: { [HOSTILE_KEY]: "high" } });
    expect(error.issues).toEqual([
      { path: "scores", code: "invalid_type", message: "Expected number" },
    ]);
  });

  it("follows defaults, nullables and pipes to the keys behind them", async () => {
    const schema = z.strictObject({
      a: z
        .strictObject({ b: z.number().int().gt(3) })
        .nullable()
        .default({ b: 4 }),
      c: z.strictObject({ d: z.string() }).pipe(z.transform((v) => v.d)),
    });
    const error = await refusal(schema, { a: { b: 2 }, c: { d: 1 } });
    expect(error.issues).toEqual([
      { path: "a.b", code: "too_small", message: "Too small: more than 3" },
      { path: "c.d", code: "invalid_type", message: "Expected string" },
    ]);
  });

  it("gives every code a fixed message: no value, key or pattern of the input in any", async () => {
    const schema = z.strictObject({
      kind: z.enum(["a", "b"]),
      email: z.email(),
      even: z.number().multipleOf(2),
      either: z.union([z.string(), z.number()]),
      custom: z
        .string()
        .refine((v) => v === "ok", { error: (issue) => `bad ${String(issue.input)}` }),
    });
    const error = await refusal(schema, {
      kind: HOSTILE_KEY,
      email: HOSTILE_KEY,
      even: 3,
      either: { [HOSTILE_KEY]: 1 },
      custom: HOSTILE_KEY,
    });
    expect(error.issues).toEqual([
      { path: "kind", code: "invalid_value", message: "Is not one of the allowed values" },
      {
        path: "email",
        code: "invalid_format",
        message: "Does not match the expected format (email)",
      },
      { path: "even", code: "not_multiple_of", message: "Must be a multiple of 2" },
      { path: "either", code: "invalid_union", message: "Matches none of the allowed forms" },
      { path: "custom", code: "custom", message: "Is not valid" },
    ]);
  });

  it("answers a refinement's message written with publicMessage as written", async () => {
    const schema = z.string().refine((v) => v !== "no", publicMessage("Must not be no"));
    expect((await refusal(schema, "no")).issues).toEqual([
      { path: "", code: "custom", message: "Must not be no" },
    ]);
  });

  it("answers at most 20 issues", async () => {
    const error = await refusal(
      z.array(z.string()),
      Array.from({ length: 1000 }, () => 0),
    );
    expect(error.issues).toHaveLength(20);
  });

  it("runs a schema with an async refinement", async () => {
    const schema = z.string().refine(async (v) => v === "ok", publicMessage("Not ok"));
    const validate = checkedInput(schema)["~standard"].validate;
    await expect(validate("ok")).resolves.toEqual({ value: "ok" });
    await expect(Promise.resolve().then(() => validate("no"))).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });
});

describe("inputIssues without the schema (an input not given through checkedInput)", () => {
  it("keeps the codes and fixed messages and drops every path", () => {
    const result = z.record(z.string(), z.number()).safeParse({ [HOSTILE_KEY]: "x" });
    expect(result.success).toBe(false);
    expect(inputIssues((result as { error: z.ZodError }).error)).toEqual([
      { path: "", code: "invalid_type", message: "Expected number" },
    ]);
  });
});
