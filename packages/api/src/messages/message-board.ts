import { EventEmitter, on } from "node:events";
import { type TrackedEnvelope, tracked } from "@trpc/server";

export interface Message {
  /** Increasing, as a decimal string: also the SSE event id a client resumes from. */
  readonly id: string;
  readonly text: string;
  /** The subject of the token that posted it. */
  readonly sub: string;
  readonly postedAt: string;
}

/** Messages kept for clients resuming after a reconnect; older ones are gone. */
const HISTORY = 100;

/**
 * The demo's domain: an in-memory message board (one per api instance, nothing persisted).
 * postMessage writes to it, onMessage follows it.
 */
export class MessageBoard {
  readonly #history: Message[] = [];
  readonly #events = new EventEmitter();
  #sequence = 0;

  constructor() {
    // One listener per open stream; their number is bounded by the stream limits, not here.
    this.#events.setMaxListeners(0);
  }

  post(text: string, sub: string): Message {
    this.#sequence += 1;
    const message = { id: String(this.#sequence), text, sub, postedAt: new Date().toISOString() };
    this.#history.push(message);
    if (this.#history.length > HISTORY) this.#history.shift();
    this.#events.emit("message", message);
    return message;
  }

  /**
   * New messages as they are posted, each tracked by its id. With `lastEventId` (what tRPC's SSE
   * client sends when it reconnects), the kept messages after it come first, so nothing posted
   * while the client was away is missed. Ends when `signal` aborts.
   */
  async *follow(
    lastEventId: string | null | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<TrackedEnvelope<Message>, void, undefined> {
    // Listening starts before the backlog is read, so no message falls between the two.
    const live = on(this.#events, "message", signal === undefined ? {} : { signal });
    try {
      let last = lastEventId == null ? this.#sequence : Number(lastEventId);
      if (!Number.isSafeInteger(last)) last = this.#sequence;
      for (const message of this.#history.filter((m) => Number(m.id) > last)) {
        last = Number(message.id);
        yield tracked(message.id, message);
      }
      for await (const [message] of live as AsyncIterable<[Message]>) {
        if (Number(message.id) <= last) continue;
        last = Number(message.id);
        yield tracked(message.id, message);
      }
    } finally {
      await live.return?.();
    }
  }
}
