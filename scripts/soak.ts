/**
 * `pnpm soak`: the api under mixed, partly hostile traffic for SOAK_SECONDS (default 60), started
 * as a user starts it (its real entry point with an environment), on the local issuer started the
 * same way. Valid, expired, forged and malformed tokens, oversized batches and targets, refused
 * streams and slow clients run concurrently with key rotations and JWKS outages. It prints the
 * figures, writes them to reports/reliability.md (docs/reliability.md with --update-docs) and exits 1 when a bound is broken: a 5xx where the
 * api could have answered otherwise, a valid request refused, or memory growing without bound.
 * Loopback only; every loop ends at the deadline.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { intVar, parseEnv, reportDir } from "@repo/env";
import { type RunningProcess, spawnApi, spawnIssuer } from "@repo/process";

const root = fileURLToPath(new URL("..", import.meta.url));
const AUDIENCE = "https://api.example.com";
const { SOAK_SECONDS } = parseEnv(
  { SOAK_SECONDS: intVar("whole seconds", { min: 5, max: 3_600 }).default(60) },
  process.env,
);
/** Slow connections held open at any time. */
const SLOW_CLIENTS = 50;
/** RSS at the end may be at most this many times the RSS after warm-up, plus 64 MiB. */
const RSS_GROWTH_FACTOR = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssBytes(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib ?? 0) * 1024;
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

interface Answer {
  readonly status: number;
  readonly ms: number;
}

function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(new URL(path, base), { agent, headers }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }),
      );
      res.on("error", () => resolve({ status: -1, ms: performance.now() - started }));
    });
    req.on("error", () => resolve({ status: -1, ms: performance.now() - started }));
    req.end();
  });
}

async function post(base: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, base), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

async function fetchToken(issuerUrl: string): Promise<string> {
  const body = (await post(issuerUrl, "/oauth2/m2m/token", {
    client_id: "demo-client",
    client_secret: "demo-secret",
    audience: AUDIENCE,
    grant_type: "client_credentials",
  })) as { access_token: string };
  return body.access_token;
}

/** Outcome counts per traffic kind and status, and the latencies of valid requests. */
const outcomes = new Map<string, number>();
const validLatencies: number[] = [];
let validRefused = 0;
let unexpected5xx = 0;
let unknownKid503 = 0;
let connectionErrors = 0;

function record(kind: string, answer: Answer, expected: readonly number[]): void {
  const key = `${kind} -> ${answer.status === -1 ? "connection error" : answer.status}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  if (answer.status === -1) connectionErrors++;
  if (kind.startsWith("valid")) {
    validLatencies.push(answer.ms);
    if (answer.status !== 200) validRefused++;
    return;
  }
  // A token whose kid is unknown during a JWKS outage cannot be told from a token signed by a new
  // key: 503 with Retry-After is the right answer (RFC 9110 §15.6.4), counted on its own.
  if (kind === "forged, unknown kid" && answer.status === 503) {
    unknownKid503++;
    return;
  }
  if (answer.status >= 500) unexpected5xx++;
  else if (!expected.includes(answer.status)) {
    const odd = `${key} (unexpected)`;
    outcomes.set(odd, (outcomes.get(odd) ?? 0) + 1);
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

function tamper(token: string): string {
  const last = token.at(-1) === "A" ? "B" : "A";
  return `${token.slice(0, -2)}${last}${last}`;
}

function withKid(token: string, kid: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const decoded = JSON.parse(Buffer.from(header, "base64url").toString()) as Record<
    string,
    unknown
  >;
  const forged = Buffer.from(JSON.stringify({ ...decoded, kid })).toString("base64url");
  return `${forged}.${payload}.${signature}`;
}

async function main(): Promise<number> {
  const children: RunningProcess[] = [];
  try {
    const issuer = await spawnIssuer({ ISSUER_ADMIN: "true", AUTHACTION_AUDIENCE: AUDIENCE });
    children.push(issuer);
    const issuerUrl = issuer.ready.url;
    // LOG_LEVEL info: the api says where it listens in its `listening` line.
    const api = await spawnApi({
      AUTHACTION_ISSUER: issuer.ready.issuer,
      AUTHACTION_AUDIENCE: AUDIENCE,
      AUTHACTION_JWKS_URI: issuer.ready.jwksUri,
      AUTHACTION_JWKS_WARM: "true",
      AUTHACTION_JWKS_MAX_AGE_MS: "3000",
      AUTHACTION_JWKS_COOLDOWN_MS: "500",
      AUTHACTION_JWKS_TIMEOUT_MS: "1000",
      AUTHACTION_CLOCK_TOLERANCE_SECONDS: "0",
      LOG_LEVEL: "info",
      // No DATABASE_URL: messages in an in-memory PGlite (`pnpm soak:replicas` soaks Postgres).
    });
    children.push(api);
    const apiUrl = api.ready.url;
    // Warmed before it listens: ready now, or the soak would measure a start, not a steady state.
    const readiness = await fetch(`${apiUrl}/readyz`);
    if (!readiness.ok) throw new Error(`the api listens but /readyz answers ${readiness.status}`);

    // An expired token: minted with a one-second life, used once it has run out.
    await post(issuerUrl, "/__admin/token-lifetime", { seconds: 1 });
    const expired = await fetchToken(issuerUrl);
    await post(issuerUrl, "/__admin/token-lifetime", { seconds: 86_400 });
    let valid = await fetchToken(issuerUrl);
    await sleep(2_000);
    for (let i = 0; i < 200; i++)
      await get(apiUrl, "/trpc/protected", { authorization: `Bearer ${valid}` });
    const rssStart = rssBytes(api.child.pid);

    const deadline = Date.now() + SOAK_SECONDS * 1_000;
    const running = () => Date.now() < deadline;
    const enc = encodeURIComponent;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    const loop = async (body: () => Promise<void>) => {
      while (running()) await body();
    };
    const workers = [
      loop(async () =>
        record("valid /trpc/protected", await get(apiUrl, "/trpc/protected", bearer(valid)), [200]),
      ),
      loop(async () =>
        record("valid /protected", await get(apiUrl, "/protected", bearer(valid)), [200]),
      ),
      loop(async () =>
        record(
          "valid batch public,protected,secret",
          await get(
            apiUrl,
            `/trpc/public,protected,secret?batch=1&input=${enc("{}")}`,
            bearer(valid),
          ),
          [200],
        ),
      ),
      loop(async () => {
        record("expired", await get(apiUrl, "/trpc/protected", bearer(expired)), [401]);
        record("forged signature", await get(apiUrl, "/protected", bearer(tamper(valid))), [401]);
        const kid = `probe-${Math.random().toString(36).slice(2)}`;
        record(
          "forged, unknown kid",
          await get(apiUrl, "/trpc/protected", bearer(withKid(valid, kid))),
          [401],
        );
        record(
          "malformed",
          await get(apiUrl, "/protected", { authorization: "Bearer a b" }),
          [400],
        );
        record("no token", await get(apiUrl, "/trpc/secret"), [401]);
        record("garbage token", await get(apiUrl, "/trpc/protected", bearer("x.y.z")), [401]);
      }),
      loop(async () => {
        const eleven = Array.from({ length: 11 }, () => "secret").join(",");
        record(
          "batch of 11",
          await get(apiUrl, `/trpc/${eleven}?batch=1&input=${enc("{}")}`, bearer(valid)),
          [400],
        );
        const huge = Array.from({ length: 1_500 }, () => "secret").join(",");
        record("1,500-call GET", await get(apiUrl, `/trpc/${huge}?batch=1`, bearer(valid)), [414]);
        record(
          "refused stream",
          await get(apiUrl, `/trpc/protected?batch=1&input=${enc("{}")}`, {
            "trpc-accept": "application/jsonl",
          }),
          [401],
        );
      }),
    ];

    // Slow clients: connections that send their headers a byte at a time, replaced when closed.
    const slow = new Set<Socket>();
    const url = new URL(apiUrl);
    const openSlow = () => {
      const socket = connect(Number(url.port), url.hostname);
      socket.on("error", () => {});
      socket.on("close", () => slow.delete(socket));
      slow.add(socket);
    };
    const drip = setInterval(() => {
      while (running() && slow.size < SLOW_CLIENTS) openSlow();
      for (const socket of slow) if (socket.writable) socket.write("G");
    }, 100);

    // Chaos: a key rotation (the new key in use once the api accepts it), then a JWKS outage.
    let rotations = 0;
    let outages = 0;
    const chaos = loop(async () => {
      await sleep(2_000);
      if (!running()) return;
      await post(issuerUrl, "/__admin/rotate-key", {});
      rotations++;
      const next = await fetchToken(issuerUrl);
      // A deployment publishes a key before signing with it; here the probe waits for the api to
      // have fetched it, so that valid traffic only ever carries keys the api could know.
      for (let i = 0; i < 100 && running(); i++) {
        if ((await get(apiUrl, "/protected", bearer(next))).status === 200) break;
        await sleep(100);
      }
      valid = next;
      await sleep(1_500);
      if (!running()) return;
      await post(issuerUrl, "/__admin/jwks-mode", { mode: outages % 2 === 0 ? "error" : "hang" });
      outages++;
      await sleep(2_000);
      await post(issuerUrl, "/__admin/jwks-mode", { mode: "ok" });
    });

    await Promise.all([...workers, chaos]);
    clearInterval(drip);
    for (const socket of slow) socket.destroy();
    const rssEnd = rssBytes(api.child.pid);
    agent.destroy();

    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    const p99 = percentile(validLatencies, 99);
    const rssBound = rssStart * RSS_GROWTH_FACTOR + 64 * 1_048_576;
    const checks = [
      [
        "5xx answers (other than unknown kids during JWKS outages)",
        unexpected5xx,
        unexpected5xx === 0,
      ],
      ["valid requests refused", validRefused, validRefused === 0],
      ["connection errors", connectionErrors, connectionErrors === 0],
      [`RSS at end within ${RSS_GROWTH_FACTOR}x start + 64 MiB`, mib(rssEnd), rssEnd <= rssBound],
    ] as const;
    const ok = checks.every(([, , pass]) => pass);
    const rows = [...outcomes.entries()].sort(([a], [b]) => a.localeCompare(b));
    const report = [
      "# Reliability: the last soak",
      "",
      "Written by `pnpm soak` (scripts/soak.ts): the api and the local issuer started from their real",
      "entry points on loopback, mixed traffic for `SOAK_SECONDS`, key rotations and JWKS outages",
      "(`error` and `hang` in turn) while it runs, and 50 slow clients sending headers a byte at a",
      "time. A valid token switches to a rotated key once the api accepts it (as a deployment",
      "publishes a key before signing with it). Exits 1 when a bound below is broken.",
      "",
      `- run: ${new Date().toISOString()}, ${SOAK_SECONDS} s, Node ${process.version}, ${process.platform} ${process.arch}`,
      `- requests: ${total}; key rotations: ${rotations}; JWKS outages: ${outages}`,
      `- p99 latency of valid requests: ${p99.toFixed(1)} ms (${validLatencies.length} requests)`,
      `- api RSS: ${mib(rssStart)} after warm-up, ${mib(rssEnd)} at the end`,
      `- 503 for tokens with an unknown kid while the JWKS endpoint was down: ${unknownKid503} (the right answer: such a kid may be a new key)`,
      "",
      "| bound | value | holds |",
      "| --- | --- | --- |",
      ...checks.map(([name, value, pass]) => `| ${name} | ${value} | ${pass ? "yes" : "**no**"} |`),
      "",
      "| traffic -> status | requests |",
      "| --- | --- |",
      ...rows.map(([key, count]) => `| ${key} | ${count} |`),
      "",
    ].join("\n");
    console.log(report);
    const dir = reportDir(process.argv, root);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "reliability.md"), report);
    console.log(`soak: wrote ${join(dir, "reliability.md")}`);
    return ok ? 0 : 1;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
