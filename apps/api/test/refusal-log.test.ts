import { EventEmitter } from "node:events";
import { RefusalLog } from "@repo/api-router";
import { AuthError } from "@repo/auth/server";
import { ManualClock } from "@repo/auth/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenWithUnknownKid } from "./support/craft-token.ts";
import { send } from "./support/http-exchange.ts";
import { type LogLine, memoryLogger, type Stack, startStack } from "./support/start-stack.ts";

// One refused request is one refusal line, whatever it holds: a batch's calls share one token and
// fail alike, and the line says how many were refused and which procedures, its request-chosen
// fields cut to 128 characters. Through the api's real transports, over HTTP.

const KID_LENGTH = 5_900;
const enc = encodeURIComponent;

let stack: Stack;
beforeAll(async () => {
  // One line per refused request here; the limit per reason has tests of its own (below).
  stack = await startStack({ api: { refusalLog: { linesPerReason: 1_000 } } });
});
afterAll(async () => {
  await stack.close();
});

/** A 5,900-character kid that starts with `label`, and the token carrying it. */
function attack(label: string): { kid: string; authorization: string } {
  const kid = `${label}-${"k".repeat(KID_LENGTH - label.length - 1)}`;
  return { kid, authorization: `Bearer ${tokenWithUnknownKid(kid)}` };
}

/** The refusal lines of the token whose kid starts with `label`, once at least one is there. */
async function refusalLines(label: string): Promise<LogLine[]> {
  const mine = () =>
    stack.logs.filter(
      (line) =>
        line.event === "auth_refused" &&
        typeof line.kid === "string" &&
        line.kid.startsWith(`${label}-`),
    );
  await stack.api.waitForLogs(() => mine().length > 0, `${label}'s line`);
  return mine();
}

/** What the line's kid must be: the first 128 characters and the count of those cut. */
const cappedKid = (kid: string) => `${kid.slice(0, 128)}…[cut ${kid.length - 128} chars]`;

describe("one refusal line per request", () => {
  it("a GET batch of 8 refused calls (the fast path): one line naming 8 calls, both procedures, the kid cut to 128 characters", async () => {
    const { kid, authorization } = attack("fast");
    const path =
      "/trpc/protected,secret,protected,secret,protected,secret,protected,secret?batch=1";
    const res = await send(stack.api.url, path, { authorization });
    expect(res.status).toBe(401);

    const lines = await refusalLines("fast");
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        reason: "unknown_key",
        path: "protected",
        calls: 8,
        paths: ["protected", "secret"],
        kid: cappedKid(kid),
      }),
    ]);
    // About 8 KB of request, a few hundred bytes of log (before: 8 lines of 6 KB each).
    const line = JSON.stringify(lines[0]);
    expect(line.length).toBeLessThan(1_000);
    expect(stack.rawLogs()).not.toContain("k".repeat(200));
  });

  it("a POST batch of 3 refused mutations (the official adapter): one line naming 3 calls", async () => {
    const { kid, authorization } = attack("post");
    const body = JSON.stringify({ 0: { text: "a" }, 1: { text: "b" }, 2: { text: "c" } });
    const res = await send(stack.api.url, "/trpc/postMessage,postMessage,postMessage?batch=1", {
      method: "POST",
      authorization,
      headers: { "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(401);
    expect(await refusalLines("post")).toEqual([
      expect.objectContaining({
        reason: "unknown_key",
        path: "postMessage",
        calls: 3,
        kid: cappedKid(kid),
      }),
    ]);
  });

  it("a streamed batch refused as a whole before the stream starts: one line naming both calls", async () => {
    const { authorization } = attack("stream");
    const res = await send(stack.api.url, `/trpc/protected,secret?batch=1&input=${enc("{}")}`, {
      headers: { "trpc-accept": "application/jsonl" },
      authorization,
    });
    expect(res.status).toBe(401);
    expect(await refusalLines("stream")).toEqual([
      expect.objectContaining({ calls: 2, paths: ["protected", "secret"] }),
    ]);
  });

  it("REST /protected: one line for its one call, with no list of procedures", async () => {
    const { authorization } = attack("rest");
    const res = await send(stack.api.url, "/protected", { authorization });
    expect(res.status).toBe(401);
    const lines = await refusalLines("rest");
    expect(lines).toEqual([expect.objectContaining({ path: "protected", calls: 1 })]);
    expect(lines[0]).not.toHaveProperty("paths");
  });

  it("a batch mixing a public call with a refused one: one line for the refused call only", async () => {
    const { authorization } = attack("mixed");
    const res = await send(stack.api.url, "/trpc/public,protected,public?batch=1", {
      authorization,
    });
    expect(res.status).toBe(207);
    expect(await refusalLines("mixed")).toEqual([
      expect.objectContaining({ path: "protected", calls: 1 }),
    ]);
  });
});

describe("the limit per reason, through the api", () => {
  it("past 2 lines a minute for unknown_key, refused requests are counted, then summed up in one line when the minute ends", async () => {
    const clock = new ManualClock();
    const limited = await startStack({ api: { refusalLog: { linesPerReason: 2, clock } } });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await send(limited.api.url, "/trpc/protected,secret?batch=1", {
          authorization: attack(`limited${i}`).authorization,
        });
        expect(res.status).toBe(401);
      }
      const refused = () => limited.logs.filter((line) => line.event === "auth_refused");
      await limited.api.waitForLogs((logs) => logs.some((l) => l.event === "auth_refused"));
      expect(refused().map((line) => line.calls)).toEqual([2, 2]);
      expect(limited.logs.some((line) => line.event === "auth_refusals_suppressed")).toBe(false);

      clock.advance(60_000);
      expect(limited.logs.filter((line) => line.event === "auth_refusals_suppressed")).toEqual([
        expect.objectContaining({ level: 40, suppressed: { unknown_key: 3 }, total: 3 }),
      ]);
      // A new minute: lines again.
      await send(limited.api.url, "/protected", { authorization: attack("again").authorization });
      await limited.api.waitForLogs(() => refused().length === 3, "the next minute's line");
    } finally {
      await limited.close();
    }
  });
});

describe("RefusalLog", () => {
  const error = (code: "expired" | "unknown_key", kid?: string) =>
    new AuthError(code, "refused", kid === undefined ? {} : { kid });

  it("writes a request's refusals when its response closes, not before", () => {
    const memory = memoryLogger();
    const refusals = new RefusalLog(memory.log);
    const response = Object.assign(new EventEmitter(), { closed: false });
    const recorder = refusals.forResponse(response);
    recorder.record("protected", error("unknown_key", "a"));
    recorder.record("secret", error("unknown_key", "a"));
    expect(memory.lines()).toEqual([]);
    response.closed = true;
    response.emit("close");
    expect(memory.lines()).toEqual([
      expect.objectContaining({ event: "auth_refused", calls: 2, paths: ["protected", "secret"] }),
    ]);
  });

  it("writes a refusal recorded after its response closed (a stream's token failing late) on its own", async () => {
    const memory = memoryLogger();
    const refusals = new RefusalLog(memory.log);
    const recorder = refusals.forResponse(Object.assign(new EventEmitter(), { closed: true }));
    recorder.record("onMessage", error("expired", "late"));
    await expect
      .poll(() => memory.lines())
      .toEqual([expect.objectContaining({ reason: "expired", kid: "late", calls: 1 })]);
  });

  it("names other reasons met in the same request", () => {
    const memory = memoryLogger();
    const response = Object.assign(new EventEmitter(), { closed: false });
    const recorder = new RefusalLog(memory.log).forResponse(response);
    recorder.record("protected", error("unknown_key"));
    recorder.record("secret", error("expired"));
    response.emit("close");
    expect(memory.lines()).toEqual([
      expect.objectContaining({ reason: "unknown_key", otherReasons: ["expired"], calls: 2 }),
    ]);
  });

  it("caps a refused stream's fields and counts it under too_many_streams", () => {
    const memory = memoryLogger();
    const clock = new ManualClock();
    const refusals = new RefusalLog(memory.log, { linesPerReason: 1, clock });
    refusals.immediate.recordStreamRefusal("onMessage", "s".repeat(1_000));
    refusals.immediate.recordStreamRefusal("onMessage", "s".repeat(1_000));
    clock.advance(60_000);
    expect(memory.lines()).toEqual([
      expect.objectContaining({
        event: "stream_refused",
        reason: "too_many_streams",
        sub: `${"s".repeat(128)}…[cut 872 chars]`,
      }),
      expect.objectContaining({
        event: "auth_refusals_suppressed",
        suppressed: { too_many_streams: 1 },
      }),
    ]);
  });
});
