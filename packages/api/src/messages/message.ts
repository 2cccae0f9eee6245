import type { MessageRow } from "@repo/db";

export interface Message {
  /** Increasing, as a decimal string: also the SSE event id a client resumes from. */
  readonly id: string;
  readonly text: string;
  /** The subject of the token that posted it. */
  readonly sub: string;
  readonly postedAt: string;
}

/** What the procedures answer for a stored row. */
export function toMessage(row: MessageRow): Message {
  return {
    id: String(row.id),
    text: row.text,
    sub: row.sub,
    postedAt: row.postedAt.toISOString(),
  };
}

/**
 * A message id a client sent back (SSE's Last-Event-ID), or undefined when it is not one: a
 * decimal of at most 19 digits, as ids are bigints.
 */
export function parseMessageId(value: string | null | undefined): bigint | undefined {
  return value != null && /^\d{1,19}$/.test(value) ? BigInt(value) : undefined;
}
