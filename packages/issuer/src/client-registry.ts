import { createHash, timingSafeEqual } from "node:crypto";
import { publicJwkProblem } from "@repo/auth/server";
import { createLocalJWKSet, type JWTVerifyGetKey } from "jose";
import type { IssuerClient, KeyIssuerClient } from "./local-issuer-types.ts";

interface RegisteredClient {
  client: IssuerClient;
  /** Secret clients only. */
  secretHash?: Buffer;
  /** Key clients only: their registered public key, as jose selects keys. */
  keySet?: JWTVerifyGetKey;
}

/** Registered clients by id, with secrets compared in constant time. */
export class ClientRegistry {
  readonly #clients = new Map<string, RegisteredClient>();
  // Compared against when the id is unknown, so timing does not reveal which ids exist.
  readonly #decoyHash = sha256("decoy secret for unknown clients");

  constructor(clients: readonly IssuerClient[]) {
    if (clients.length === 0) throw new Error("the issuer needs at least one client");
    for (const client of clients) {
      if (this.#clients.has(client.clientId)) {
        throw new Error(`client "${client.clientId}" is configured twice`);
      }
      this.#clients.set(client.clientId, register(client));
    }
  }

  /** The client when the secret matches, otherwise undefined (also for clients with a key). */
  authenticate(clientId: string, clientSecret: string): IssuerClient | undefined {
    const registered = this.#clients.get(clientId);
    // Hashing first gives equal-length buffers, which timingSafeEqual requires.
    const matches = timingSafeEqual(
      registered?.secretHash ?? this.#decoyHash,
      sha256(clientSecret),
    );
    return matches && registered?.secretHash !== undefined ? registered.client : undefined;
  }

  /** A client registered with a public key, and that key as a key set; undefined otherwise. */
  keyClient(clientId: string): { client: KeyIssuerClient; keySet: JWTVerifyGetKey } | undefined {
    const registered = this.#clients.get(clientId);
    if (registered?.keySet === undefined || registered.client.publicJwk === undefined) {
      return undefined;
    }
    return { client: registered.client, keySet: registered.keySet };
  }

  scopesOf(clientId: string): string[] | undefined {
    return this.#clients.get(clientId)?.client.scopes;
  }

  first(): IssuerClient {
    return this.#clients.values().next().value!.client;
  }

  all(): IssuerClient[] {
    return [...this.#clients.values()].map(({ client }) => client);
  }
}

function register(client: IssuerClient): RegisteredClient {
  const scopes = [...client.scopes];
  if (client.publicJwk !== undefined) {
    // Possible from JavaScript or a cast, though the type forbids it.
    if ((client as { clientSecret?: unknown }).clientSecret !== undefined) {
      throw new Error(`client "${client.clientId}" has both a secret and a public key`);
    }
    const problem = publicJwkProblem(client.publicJwk);
    if (problem !== undefined) throw new Error(`client "${client.clientId}": publicJwk ${problem}`);
    const publicJwk = { ...client.publicJwk };
    return {
      client: { clientId: client.clientId, publicJwk, scopes },
      keySet: createLocalJWKSet({ keys: [publicJwk] }),
    };
  }
  return {
    client: { clientId: client.clientId, clientSecret: client.clientSecret, scopes },
    secretHash: sha256(client.clientSecret),
  };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
