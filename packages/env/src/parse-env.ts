import { z } from "zod";
import { ConfigurationError } from "./configuration-error.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parse environment variables with a zod object schema whose keys are the variable names.
 * Empty strings count as unset, so `FOO=` in a `.env` file falls back to the default. The first
 * problem becomes a ConfigurationError naming the variable and what it expects (the schema's
 * `description`, or zod's message).
 */
export function parseEnv<TShape extends z.ZodRawShape>(
  shape: TShape,
  env: Env,
): z.infer<z.ZodObject<TShape>> {
  const input: Record<string, string> = {};
  for (const name of Object.keys(shape)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") input[name] = value.trim();
  }
  const result = z.object(shape).safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? "environment");
  const described = descriptionOf(shape[variable] as z.ZodType | undefined);
  const expectation =
    input[variable] === undefined
      ? `is required: ${described ?? issue?.message ?? "a value"}`
      : `expected ${described ?? issue?.message ?? "a valid value"}`;
  throw new ConfigurationError(variable, expectation);
}

/**
 * The `.describe()` text of a variable's schema. zod 4 keeps it on the schema it was set on, not on
 * the `.optional()` / `.default()` wrapper, so look through wrappers: otherwise an optional
 * variable's error says only "Invalid input" instead of what it expects.
 */
function descriptionOf(schema: z.ZodType | undefined): string | undefined {
  let current: unknown = schema;
  while (current instanceof z.ZodType) {
    if (current.description !== undefined) return current.description;
    const unwrap = (current as { unwrap?: () => unknown }).unwrap;
    current = typeof unwrap === "function" ? unwrap.call(current) : undefined;
  }
  return undefined;
}

/** Inclusive bounds of an integer setting, and its default; written once, beside the option. */
export interface IntBounds {
  readonly min: number;
  readonly max: number;
}

/**
 * An integer within bounds, from a decimal string. The description says what it is ("milliseconds")
 * and the bounds are appended, so the message a user sees always matches the check.
 */
export function intVar(unit: string, bounds: IntBounds) {
  const { min, max } = bounds;
  return z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n >= min && n <= max)
    .describe(`${unit}, from ${min} to ${max}`);
}

/**
 * A decimal number within bounds (`0.5`, `10`), from a string; for settings such as durations in
 * seconds that may be fractional. No exponents, signs only for negatives, no `Infinity`.
 */
export function numberVar(unit: string, bounds: IntBounds) {
  const { min, max } = bounds;
  return z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number)
    .refine((n) => n >= min && n <= max)
    .describe(`${unit}, from ${min} to ${max}`);
}

/** A comma-separated list of at least one non-empty item. */
export function listVar(description: string) {
  return z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    )
    .refine((v) => v.length > 0)
    .describe(description);
}

/** `true`/`false` (also 1/0, yes/no), from a string. */
export function boolVar(description: string) {
  return z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .transform((v) => v === "true" || v === "1" || v === "yes")
    .describe(description);
}

/** An absolute http(s) URL. */
export function urlVar(description: string) {
  return z
    .string()
    .refine((v) => {
      try {
        const url = new URL(v);
        return url.protocol === "https:" || url.protocol === "http:";
      } catch {
        return false;
      }
    })
    .describe(description);
}
