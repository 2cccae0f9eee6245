import { Writable } from "node:stream";
import type { AccessTokenVerifierOptions } from "@repo/auth/server";
import { type LocalIssuer, type LocalIssuerOptions, startLocalIssuer } from "@repo/issuer";
import { pino } from "pino";
import { type RunningApi, type StartApiOptions, startApi } from "../../src/index.ts";

export interface Stack {
  readonly issuer: LocalIssuer;
  readonly api: RunningApi;
  /** Every log line the api wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** The raw log text, to prove what it never contains. */
  rawLogs(): string;
  /** A token from the issuer's real token endpoint (client credentials, JSON body). */
  token(clientId?: string): Promise<string>;
  close(): Promise<void>;
}

const SECRETS: Record<string, string> = {
  "demo-client": "demo-secret",
  "limited-client": "limited-secret",
};

/** The real local issuer and the real api, both on ephemeral ports, the api's logs captured. */
export async function startStack(
  options: {
    verifier?: Partial<AccessTokenVerifierOptions>;
    issuer?: LocalIssuerOptions;
    api?: Pick<StartApiOptions, "streams" | "publicUrl">;
  } = {},
): Promise<Stack> {
  const issuer = await startLocalIssuer(options.issuer);
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const log = pino({ level: "debug" }, sink);
  const api = await startApi({
    ...options.api,
    log,
    host: "127.0.0.1",
    verifier: {
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
      ...options.verifier,
    },
  });
  return {
    issuer,
    api,
    get logs() {
      return chunks
        .join("")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    rawLogs: () => chunks.join(""),
    async token(clientId = "demo-client") {
      const response = await fetch(issuer.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_id: clientId,
          client_secret: SECRETS[clientId],
          audience: issuer.audience,
          grant_type: "client_credentials",
        }),
      });
      if (!response.ok) throw new Error(`token request failed: ${response.status}`);
      return ((await response.json()) as { access_token: string }).access_token;
    },
    async close() {
      await api.close();
      await issuer.close();
    },
  };
}

/** GET a path of the api with an optional Authorization header. */
export async function get(
  stack: Stack,
  path: string,
  authorization?: string,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${stack.api.url}${path}`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}
