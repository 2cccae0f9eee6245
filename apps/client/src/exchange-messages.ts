import type { AppRouter } from "@repo/api-router";
import type { TRPCClient } from "@trpc/client";
import { type FailureContext, formatFailure, isScopeRefusal } from "./format-failure.ts";

export interface ExchangeOptions {
  /** Messages to post. Default 3. */
  readonly count?: number;
  /** How long to wait for the stream to open and for the events. Default 10 s. */
  readonly timeoutMs?: number;
}

/** Lines to print and failures the user must act on. */
export interface ExchangeResult {
  readonly lines: string[];
  readonly failures: string[];
}

/**
 * Subscribe to onMessage (SSE), post a few messages through postMessage, and wait for the stream
 * to deliver them. Results print in a fixed order (posts, then events) whatever order the network
 * delivered them in. A scope refusal is a result, not a failure.
 */
export async function exchangeMessages(
  api: TRPCClient<AppRouter>,
  context: FailureContext,
  options: ExchangeOptions = {},
): Promise<ExchangeResult> {
  const count = options.count ?? 3;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const lines: string[] = [];
  const failures: string[] = [];
  const events: string[] = [];
  const refuse = (name: string, error: unknown) => {
    const line = formatFailure(error, context);
    if (isScopeRefusal(error)) lines.push(`${name.padEnd(9)} -> ${line}`);
    else failures.push(line);
  };

  let settle: (error?: unknown) => void = () => {};
  const opened = new Promise<unknown>((resolve) => {
    settle = resolve;
  });
  let eventArrived = () => {};
  const subscription = api.onMessage.subscribe(undefined, {
    onStarted: () => settle(),
    onData: ({ data }) => {
      events.push(
        `onMessage -> ${JSON.stringify({ id: data.id, text: data.text, sub: data.sub })}`,
      );
      eventArrived();
    },
    onError: (error) => settle(error),
  });
  try {
    const openError = await withTimeout(opened, timeoutMs, "the message stream did not open");
    if (openError !== undefined) refuse("onMessage", openError);
    let posted = 0;
    for (let i = 1; i <= count; i++) {
      try {
        const message = await api.postMessage.mutate({ text: `hello ${i} of ${count}` });
        lines.push(`posted    -> ${JSON.stringify({ id: message.id, text: message.text })}`);
        posted++;
      } catch (error) {
        refuse("posted", error);
        break;
      }
    }
    if (openError === undefined && posted > 0) {
      const delivered = new Promise<void>((resolve) => {
        eventArrived = () => {
          if (events.length >= posted) resolve();
        };
        eventArrived();
      });
      await withTimeout(delivered, timeoutMs, "the message stream delivered no events");
      lines.push(...events.slice(0, posted));
    }
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  } finally {
    subscription.unsubscribe();
  }
  return { lines, failures };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
