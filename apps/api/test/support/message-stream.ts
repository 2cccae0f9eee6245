/** One message as onMessage sends it. */
export interface StreamedMessage {
  readonly id: string;
  readonly text: string;
  readonly sub: string;
  readonly postedAt: string;
}

/** An onMessage stream read over plain SSE, as any client sees it. */
export interface MessageStream {
  /** Every message received so far, in order. */
  readonly messages: StreamedMessage[];
  /** Resolves once at least `count` messages have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<StreamedMessage[]>;
  /** Resolves once the server has opened the stream (its `connected` event). */
  readonly connected: Promise<void>;
  close(): void;
}

/**
 * Open onMessage on `baseUrl` with `token`, resuming after `lastEventId` when given (what tRPC's
 * client sends on a reconnect). A stream whose server dies just stops receiving.
 */
export function openMessageStream(
  baseUrl: string,
  token: string,
  lastEventId?: string,
): MessageStream {
  const messages: StreamedMessage[] = [];
  const waiters = new Set<() => void>();
  const controller = new AbortController();
  const input =
    lastEventId === undefined
      ? ""
      : `?input=${encodeURIComponent(JSON.stringify({ lastEventId }))}`;
  let markConnected: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    markConnected = resolve;
  });
  void (async () => {
    const response = await fetch(`${baseUrl}/trpc/onMessage${input}`, {
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
      signal: controller.signal,
    });
    if (response.status !== 200 || response.body === null) {
      throw new Error(`onMessage answered ${response.status}`);
    }
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end === -1) break;
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = event.split("\n");
        if (lines.includes("event: connected")) markConnected();
        const id = lines.find((line) => line.startsWith("id: "));
        const data = lines.find((line) => line.startsWith("data: "));
        if (id === undefined || data === undefined) continue;
        messages.push(JSON.parse(data.slice("data: ".length)) as StreamedMessage);
        for (const wake of waiters) wake();
      }
    }
  })().catch(() => {
    // The server went away or the test closed the stream: it just stops receiving.
  });
  return {
    messages,
    connected,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${messages.length} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}
