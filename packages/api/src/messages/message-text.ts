import { z } from "zod";
import { publicMessage } from "../trpc/checked-input.ts";

/** The longest message, in UTF-16 code units (what zod's `max` counts). */
export const MAX_MESSAGE_LENGTH = 280;

/**
 * Characters a message may not contain. Messages are stored and sent to every subscriber, whose
 * terminals, logs and pages show them: C0 controls (NUL cuts strings short in C consumers, ESC
 * starts terminal escape sequences, CR returns to the start of a line so the rest overwrites it),
 * DEL and the C1 controls (U+0080-U+009F, among them CSI, the one-byte ESC [), and the Unicode
 * bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), with
 * which text displays in another order than it reads (Trojan Source, CVE-2021-42574). Tab and line
 * feed stay allowed: a message may have several lines.
 */
const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** What a caller is told when a message holds one of them. */
export const FORBIDDEN_CHARACTERS_MESSAGE =
  "Text must not contain control characters (other than tab and line feed) or bidirectional formatting characters";

/**
 * A message's text: trimmed (leading and trailing whitespace, CR included, is dropped), 1 to 280
 * characters, none of them forbidden (see FORBIDDEN). Refused text is never stored, and the refusal
 * does not repeat it.
 */
export const messageText = z
  .string()
  .trim()
  .min(1)
  .max(MAX_MESSAGE_LENGTH)
  .refine((text) => !FORBIDDEN.test(text), publicMessage(FORBIDDEN_CHARACTERS_MESSAGE));
