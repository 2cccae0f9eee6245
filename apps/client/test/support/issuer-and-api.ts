import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { spawnApi } from "@repo/process";

/** The api as the client's tests use it: where it answers, and how to stop it. */
export interface RunningApi {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The api's real entry point verifying `issuer`'s tokens, on 127.0.0.1 and an ephemeral port,
 * with `env` added (e.g. `AUTHACTION_DPOP=required`). Stopped by close() (SIGTERM; it must exit 0).
 */
export async function startApiFor(
  issuer: LocalIssuer,
  env: Readonly<Record<string, string>> = {},
): Promise<RunningApi> {
  const api = await spawnApi({
    AUTHACTION_ISSUER: issuer.issuer,
    AUTHACTION_AUDIENCE: issuer.audience,
    AUTHACTION_JWKS_URI: issuer.jwksUri,
    ...env,
  });
  return {
    url: api.ready.url,
    async close() {
      const code = await api.stop();
      if (code !== 0) throw new Error(`api exited with ${code} on SIGTERM: ${api.stderr()}`);
    },
  };
}

/** The real local issuer and the api wired to it. */
export interface IssuerAndApi {
  readonly issuer: LocalIssuer;
  readonly api: RunningApi;
  /** Close the api, then the issuer. */
  close(): Promise<void>;
}

/**
 * What the client's end-to-end tests call: the local issuer with its defaults (the demo client,
 * audience https://api.example.com) and the api verifying its tokens. If the api fails to start,
 * the issuer is closed before the error is passed on.
 */
export async function startIssuerAndApi(): Promise<IssuerAndApi> {
  const issuer = await startLocalIssuer();
  let api: RunningApi;
  try {
    api = await startApiFor(issuer);
  } catch (error) {
    await issuer.close();
    throw error;
  }
  return {
    issuer,
    api,
    async close() {
      await api.close();
      await issuer.close();
    },
  };
}
