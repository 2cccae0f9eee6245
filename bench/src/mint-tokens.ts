import type { LocalIssuer } from "@repo/issuer";

/**
 * `count` distinct valid tokens from the issuer's signToken (each gets a fresh random `jti`).
 * RS256 signing runs on libuv's thread pool, so a few signatures in flight use every core.
 */
export async function mintDistinctTokens(
  issuer: LocalIssuer,
  count: number,
  options: { concurrency?: number; onProgress?: (minted: number) => void } = {},
): Promise<string[]> {
  const tokens = new Array<string>(count);
  let next = 0;
  let minted = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      tokens[index] = await issuer.signToken();
      minted++;
      if (minted % 10_000 === 0) options.onProgress?.(minted);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  if (new Set(tokens).size !== count) throw new Error("minted tokens are not all distinct");
  return tokens;
}
