import { Agent, request } from "node:http";

export interface SendResult {
  readonly sent: number;
  /** Responses other than 200, by status ("error" for a failed request). */
  readonly refused: Readonly<Record<string, number>>;
}

/**
 * GET `url` once per token, `concurrency` requests in flight over keep-alive connections. Each
 * token is sent exactly once (autocannon's per-request setup would build some it never sends).
 */
export async function sendTokens(
  url: string,
  tokens: readonly string[],
  options: { concurrency: number; deadline: number },
): Promise<SendResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const refused: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      if (Date.now() > options.deadline) throw new Error("token flood exceeded its time bound");
      const token = tokens[next++] as string;
      const status = await get(url, token, agent).catch(() => "error");
      if (status !== 200) refused[String(status)] = (refused[String(status)] ?? 0) + 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { sent: tokens.length, refused };
}

function get(url: string, token: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
      res.once("error", reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
    req.once("error", reject);
    req.end();
  });
}
