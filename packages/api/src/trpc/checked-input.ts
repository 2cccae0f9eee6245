import { z } from "zod";

/** One problem with a call's input, in words that repeat nothing the caller sent. */
export interface InputIssue {
  /** Dotted path of keys the schema defines (array indexes included); "" for the input itself. */
  readonly path: string;
  /** zod's issue code (`invalid_type`, `too_small`, `unrecognized_keys`, ...). */
  readonly code: string;
  readonly message: string;
}

/** At most this many issues are answered: a hostile input can make thousands. */
const MAX_ISSUES = 20;

/** Thrown by a checkedInput that refuses its input; tRPC answers it 400 BAD_REQUEST. */
export class InvalidInputError extends Error {
  readonly issues: readonly InputIssue[];

  constructor(issues: readonly InputIssue[]) {
    super("Invalid input");
    this.name = "InvalidInputError";
    this.issues = issues;
  }
}

/**
 * A procedure input (`.input(checkedInput(schema))`) that validates with `schema` and, when it
 * refuses, says what is wrong without repeating what the caller sent: zod's own messages quote
 * unrecognised keys ("Unrecognized key: \"<script>\""), and an issue's path holds whatever keys the
 * caller chose where the schema allows any (a record). Here each issue gets a fixed message for its
 * code, and its path stops before the first segment that is not a key the schema defines at that
 * place. Typed as the schema itself (tRPC reads the Standard Schema interface), so clients see the
 * same input type.
 */
export function checkedInput<S extends z.ZodType>(schema: S): Pick<S, "~standard"> {
  const settle = (result: z.ZodSafeParseResult<z.output<S>>) => {
    if (result.success) return { value: result.data };
    throw new InvalidInputError(inputIssues(result.error, schema));
  };
  const standard = schema["~standard"];
  return {
    "~standard": {
      version: standard.version,
      vendor: standard.vendor,
      validate(value: unknown) {
        try {
          return settle(schema.safeParse(value));
        } catch (error) {
          // A schema with an async refinement or transform can only be run asynchronously.
          if (!(error instanceof z.core.$ZodAsyncError)) throw error;
          return schema.safeParseAsync(value).then(settle);
        }
      },
    },
  } as Pick<S, "~standard">;
}

/**
 * zod's issues made safe to answer: a fixed message per code, and the path kept only as far as it
 * names keys `schema` defines. Without a schema (an input that did not go through checkedInput)
 * no path is kept at all.
 */
export function inputIssues(error: z.ZodError, schema?: z.ZodType): InputIssue[] {
  return error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: schema === undefined ? "" : definedPath(schema, issue.path),
    code: issue.code,
    message: issueMessage(issue),
  }));
}

/**
 * Options for a refinement whose message is answered to the caller as written (a custom issue's
 * message is otherwise replaced, since a message function could quote the input):
 * `.refine(check, publicMessage("Text must not contain control characters"))`.
 */
export function publicMessage(message: string): {
  readonly message: string;
  readonly params: { readonly publicMessage: string };
} {
  return { message, params: { publicMessage: message } };
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `Expected ${issue.expected}`;
    case "too_small":
      return `Too small: ${bound(issue.origin, issue.minimum, issue.inclusive, ["at least", "more than"])}`;
    case "too_big":
      return `Too big: ${bound(issue.origin, issue.maximum, issue.inclusive, ["at most", "less than"])}`;
    case "invalid_format":
      return `Does not match the expected format (${issue.format})`;
    case "not_multiple_of":
      return `Must be a multiple of ${String(issue.divisor)}`;
    case "unrecognized_keys":
      return issue.keys.length === 1
        ? "Has a key that is not allowed here"
        : `Has ${issue.keys.length} keys that are not allowed here`;
    case "invalid_union":
      return "Matches none of the allowed forms";
    case "invalid_key":
      return "Has a key of the wrong form";
    case "invalid_element":
      return "Has an invalid element";
    case "invalid_value":
      return "Is not one of the allowed values";
    case "custom": {
      const written = issue.params?.publicMessage;
      return typeof written === "string" ? written : "Is not valid";
    }
    default:
      return "Is not valid";
  }
}

/** "at least 1 character", "more than 3": the bound is the schema's, never the input's. */
function bound(
  origin: string,
  value: number | bigint,
  inclusive: boolean | undefined,
  [including, excluding]: readonly [string, string],
): string {
  const n = String(value);
  const unit = UNITS[origin];
  const counted = unit === undefined ? n : `${n} ${unit}${n === "1" ? "" : "s"}`;
  return `${inclusive === false ? excluding : including} ${counted}`;
}

const UNITS: Readonly<Record<string, string>> = {
  string: "character",
  array: "item",
  set: "item",
  file: "byte",
};

/** The issue's path as far as each segment is a key (or an array index) the schema defines there. */
function definedPath(schema: z.ZodType, path: readonly PropertyKey[]): string {
  const kept: string[] = [];
  let current: z.ZodType | undefined = schema;
  for (const segment of path) {
    current = current === undefined ? undefined : childOf(current, segment);
    if (current === undefined) break;
    kept.push(String(segment));
  }
  return kept.join(".");
}

function childOf(schema: z.ZodType, segment: PropertyKey): z.ZodType | undefined {
  const inner = unwrapped(schema);
  if (inner instanceof z.ZodObject) {
    const shape = inner.shape as Record<string, z.ZodType>;
    return typeof segment === "string" && Object.hasOwn(shape, segment)
      ? shape[segment]
      : undefined;
  }
  if (inner instanceof z.ZodArray) {
    return typeof segment === "number" ? (inner.element as z.ZodType) : undefined;
  }
  return undefined;
}

/** Past optional, nullable, default, readonly, catch and the like, and into a pipe's input. */
function unwrapped(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else if ("innerType" in current.def) current = current.def.innerType as z.ZodType;
    else return current;
  }
}
