import { createLogger, type RunningApi, startApi } from "@repo/api";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";

/** The real local issuer and the api wired to it, both in this process. */
export interface IssuerAndApi {
  readonly issuer: LocalIssuer;
  readonly api: RunningApi;
  /** Close the api, then the issuer. */
  close(): Promise<void>;
}

/**
 * What the client's end-to-end tests call: the local issuer with its defaults (the demo client,
 * audience https://api.example.com) and the api verifying its tokens, on 127.0.0.1 and ephemeral
 * ports, the api's logs silenced. If the api fails to start, the issuer is closed before the error
 * is passed on.
 */
export async function startIssuerAndApi(): Promise<IssuerAndApi> {
  const issuer = await startLocalIssuer();
  let api: RunningApi;
  try {
    api = await startApi({
      log: createLogger("silent"),
      host: "127.0.0.1",
      verifier: { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri },
    });
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
