import type { TRPCError } from "@trpc/server";
import { z } from "zod";
import { type InputIssue, InvalidInputError, inputIssues } from "./checked-input.ts";

/** What an error answers, on top of its code and status. */
export interface PublicError {
  readonly message: string;
  /** False when the error's procedure path is the caller's (an unknown procedure): left out. */
  readonly showPath: boolean;
  /** For an invalid input: what is wrong with it. */
  readonly issues?: readonly InputIssue[];
}

/** tRPC's messages for a path that names no procedure quote the path. */
const NO_PROCEDURE = /^No (?:procedure found|"\w+"-procedure) on path "/;

/**
 * The message (and whether the path and input issues go with it) that an error answers with. An
 * error body never repeats what the caller sent, which it could make anything (long, with control
 * characters, HTML for whoever shows errors in a page): tRPC's own messages quote an unknown path,
 * a malformed percent-encoding, an unsupported content-type and the parser's view of a body that
 * is not JSON, and zod's quote unrecognised keys; each gets a fixed text here. An unexpected error's
 * message could carry internals and gets a generic one. Every other message is the api's own
 * (refusals, limits) and is kept.
 */
export function publicError(error: TRPCError, message: string): PublicError {
  const { cause } = error;
  switch (error.code) {
    case "INTERNAL_SERVER_ERROR":
      return { message: "Internal server error", showPath: true };
    case "NOT_FOUND":
      if (cause === undefined && NO_PROCEDURE.test(message))
        return { message: "No such procedure", showPath: false };
      break;
    case "BAD_REQUEST":
      if (cause instanceof InvalidInputError)
        return { message: "Invalid input", showPath: true, issues: cause.issues };
      // An input schema given to .input() without checkedInput: issues without their paths.
      if (cause instanceof z.ZodError)
        return { message: "Invalid input", showPath: true, issues: inputIssues(cause) };
      if (cause instanceof URIError)
        return { message: "Invalid percent-encoding in the path", showPath: false };
      if (cause instanceof SyntaxError)
        return { message: "Input is not valid JSON", showPath: true };
      break;
    case "UNSUPPORTED_MEDIA_TYPE":
      if (message.startsWith("Unsupported content-type"))
        return { message: "Unsupported content-type", showPath: true };
      break;
  }
  return { message, showPath: true };
}
