import { createHash, timingSafeEqual } from "node:crypto";
import type { IssuerClient } from "./local-issuer-types.ts";

interface RegisteredClient {
  client: IssuerClient;
  secretHash: Buffer;
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
      const copy = { ...client, scopes: [...client.scopes] };
      this.#clients.set(client.clientId, { client: copy, secretHash: sha256(client.clientSecret) });
    }
  }

  /** The client when the secret matches, otherwise undefined. */
  authenticate(clientId: string, clientSecret: string): IssuerClient | undefined {
    const registered = this.#clients.get(clientId);
    // Hashing first gives equal-length buffers, which timingSafeEqual requires.
    const matches = timingSafeEqual(
      registered?.secretHash ?? this.#decoyHash,
      sha256(clientSecret),
    );
    return matches && registered !== undefined ? registered.client : undefined;
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

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
