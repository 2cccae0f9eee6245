/**
 * `pnpm soak:replicas`: two api processes (the real entry point) on one real Postgres server that
 * the script starts itself (@repo/db/testing). For SOAK_SECONDS (default 10) posters send
 * postMessage to replica B while one stream is open on replica A; it prints B's postMessage
 * throughput and the delivery latency from a post on B (its request sent) to its event on A's
 * stream, and exits 1 if an acknowledged message was not delivered on A, or delivered twice, or out
 * of order. Loopback only; the posters stop at the deadline.
 */
import { startTestPostgres } from "@repo/db/testing";
import { intVar, parseEnv } from "@repo/env";
import { startLocalIssuer } from "@repo/issuer";
import { spawnApi } from "@repo/process";

const { SOAK_SECONDS, SOAK_POSTERS } = parseEnv(
  {
    SOAK_SECONDS: intVar("whole seconds", { min: 2, max: 3_600 }).default(10),
    SOAK_POSTERS: intVar("concurrent posters", { min: 1, max: 256 }).default(8),
  },
  process.env,
);

const postgres = await startTestPostgres();
const issuer = await startLocalIssuer();
const env = {
  AUTHACTION_ISSUER: issuer.issuer,
  AUTHACTION_AUDIENCE: issuer.audience,
  DATABASE_URL: postgres.url,
};
const [a, b] = await Promise.all([spawnApi(env), spawnApi(env)]);
try {
  for (const api of [a, b]) {
    for (let i = 0; (await fetch(`${api.ready.url}/readyz`)).status !== 200; i++) {
      if (i > 300) throw new Error("a replica did not become ready");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const token = await issuer.signToken();
  const sentAt = new Map<string, number>();
  const received: Array<{ id: bigint; text: string; at: number }> = [];
  const stream = new AbortController();
  const response = await fetch(`${a.ready.url}/trpc/onMessage`, {
    headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    signal: stream.signal,
  });
  if (response.body === null) throw new Error(`onMessage answered ${response.status}`);
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body ?? []) {
      const at = performance.now();
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
        const lines = buffer.slice(0, end).split("\n");
        buffer = buffer.slice(end + 2);
        const data = lines.find((line) => line.startsWith("data: "));
        if (!lines.some((line) => line.startsWith("id: ")) || data === undefined) continue;
        const message = JSON.parse(data.slice("data: ".length)) as { id: string; text: string };
        received.push({ id: BigInt(message.id), text: message.text, at });
      }
    }
  })().catch(() => {});

  const deadline = performance.now() + SOAK_SECONDS * 1000;
  let acknowledged = 0;
  let failed = 0;
  let sequence = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SOAK_POSTERS }, async () => {
      while (performance.now() < deadline) {
        sequence += 1;
        const text = `soak ${sequence}`;
        sentAt.set(text, performance.now());
        const answer = await fetch(`${b.ready.url}/trpc/postMessage`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ text }),
        });
        await answer.arrayBuffer();
        if (answer.status === 200) acknowledged += 1;
        else {
          failed += 1;
          sentAt.delete(text);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  // Every acknowledged post should be on A's stream within a few seconds.
  for (let i = 0; i < 100 && received.length < acknowledged; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  stream.abort();
  await reading;

  const latencies = received
    .map((event) => event.at - (sentAt.get(event.text) ?? Number.NaN))
    .filter((ms) => Number.isFinite(ms))
    .sort((x, y) => x - y);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  const texts = new Set(received.map((event) => event.text));
  const inOrder = received.every((event, i) => i === 0 || event.id > (received[i - 1]?.id ?? 0n));
  const missing = [...sentAt.keys()].filter((text) => !texts.has(text)).length;
  const duplicates = received.length - texts.size;
  console.log(
    [
      `replicas: 2 api processes on one Postgres; ${SOAK_POSTERS} posters on B, one stream on A, ${SOAK_SECONDS} s`,
      `postMessage on B: ${acknowledged} acknowledged (${(acknowledged / elapsed).toFixed(0)}/s), ${failed} failed`,
      `delivery B -> A (post sent to event received): p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${at(1).toFixed(1)} ms`,
      `delivered on A: ${received.length}; missing ${missing}, duplicates ${duplicates}, in id order: ${inOrder}`,
    ].join("\n"),
  );
  process.exitCode = missing === 0 && duplicates === 0 && inOrder && failed === 0 ? 0 : 1;
} finally {
  await Promise.all([a.stop(), b.stop()]);
  await issuer.close();
  await postgres.close();
}
