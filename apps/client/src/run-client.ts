import {
  createClientCredentialsTokenSource,
  createDpopSigner,
  sanitizeServerText,
} from "@repo/auth/client";
import { createApiClient, trpcUrl } from "./api-client.ts";
import type { ClientConfig } from "./client-config.ts";
import type { ClientOutput } from "./client-output.ts";
import { exchangeMessages } from "./exchange-messages.ts";
import { formatFailure, isScopeRefusal } from "./format-failure.ts";

const label = (name: string) => name.padEnd(9);

/**
 * Obtain one token (DPoP-bound with `config.dpop`, and then sent with the DPoP scheme and a
 * fresh proof on every api request and SSE connect), call `public`, `protected` and `secret`
 * (one batched request), print each result; then follow `onMessage` over SSE while posting a few
 * messages with `postMessage`, and print what was posted and what the stream delivered. Return
 * the exit code: 0 when every call succeeded or was only refused for lack of scope (the api
 * enforcing scopes is a result, not a fault), 1 when the user has to act: the token endpoint
 * refused or was unreachable, or the api was unreachable, refused the token or failed. Those
 * print one line to `err`, never a stack trace.
 */
export async function runClient(config: ClientConfig, output: ClientOutput): Promise<number> {
  const context = { trpcUrl: trpcUrl(config.apiUrl) };
  const secrets =
    config.credentials.clientSecret === undefined ? [] : [config.credentials.clientSecret];
  // A new non-extractable key pair per run: its tokens are worth nothing without it.
  const dpop = config.dpop === true ? await createDpopSigner() : undefined;
  const tokenSource = createClientCredentialsTokenSource({ ...config.credentials, dpop });
  try {
    const token = await tokenSource.getTokenInfo();
    // The scope is the token endpoint's text: escape sequences or a line break in it must not
    // forge a result line. Redacted here, before it is cut, so no prefix of an echoed secret is
    // left.
    const scope =
      token.scope === undefined ? "" : `, scope "${sanitizeServerText(token.scope, 200, secrets)}"`;
    const bound = token.tokenType === "DPoP" ? ", DPoP-bound (a proof with every call)" : "";
    output.out(
      `${label("token")} -> obtained${bound}, expires ${token.expiresAt.toISOString()}${scope}`,
    );
  } catch (error) {
    output.err(formatFailure(error, context));
    return 1;
  }

  const api = createApiClient(config.apiUrl, tokenSource, { dpop });
  // Started together, so httpBatchLink sends them as one request.
  const names = ["public", "protected", "secret"] as const;
  const results = await Promise.allSettled([
    api.public.query(),
    api.protected.query(),
    api.secret.query(),
  ]);
  const failures = new Set<string>();
  results.forEach((result, i) => {
    const name = label(names[i] ?? "");
    if (result.status === "fulfilled") {
      output.out(`${name} -> ${JSON.stringify(result.value)}`);
      return;
    }
    const line = formatFailure(result.reason, context);
    if (isScopeRefusal(result.reason)) output.out(`${name} -> ${line}`);
    else failures.add(line);
  });
  if (failures.size === 0) {
    const exchange = await exchangeMessages(api, context);
    for (const line of exchange.lines) output.out(line);
    for (const line of exchange.failures) failures.add(line);
  }
  // Calls failing for one cause (api down, token refused) would repeat one line; print it once.
  for (const line of failures) output.err(line);
  return failures.size === 0 ? 0 : 1;
}
